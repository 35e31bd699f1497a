import type { ErrorKind } from '../errors/stepwise-error.js';
import type { MissingVar } from '../engine/open-run.js';

// What a front end asks of a new engine process (sent on its stdin, so values never show in
// `ps`): start a run, or open an existing one again.
export type HostRequest =
  | {
      kind: 'start';
      runbook: string;
      stateDir: string;
      // Team mode: the state database the run is journaled in (its password travels only here).
      stateUrl?: string;
      vars: Record<string, string>;
      operator?: string;
      // `run --detach --yes`: the engine drives the run by itself from the start, typing the
      // phrases given with --confirm STEP=PHRASE.
      drive?: { yes: boolean; phrases?: Record<string, string> };
    }
  | {
      kind: 'resume';
      ref?: string;
      stateDir: string;
      stateUrl?: string;
      vars: Record<string, string>;
      operator?: string;
      acceptDrift: boolean;
      purpose: 'resume' | 'rollback';
      // --retarget CONN --reason TEXT: connections moved on purpose.
      retarget?: { conns: string[]; reason: string };
    }
  // `stepwise demo`: the latest unfinished demo run again, or fresh demo data and a new run; the
  // embedded database is seeded by the engine, the one process that opens it.
  | {
      kind: 'demo';
      runbook: string;
      stateDir: string;
      vars: Record<string, string>;
      operator?: string;
      reset: boolean;
      // How long each soak lasts in the demo instead of its `for`.
      soakFor?: string;
    };

// The engine's one line back on its ready channel (file descriptor 3), then it closes it.
// `warnings`: what the opening said for the operator (drift, a torn journal tail, seeding);
// `missing`: values the run needs that nobody gave (the TUI asks and starts again).
export type HostReply =
  // `opened`: a new run, one reopened, or (the demo) one a live engine serves already.
  | { ok: true; runId: string; pid: number; warnings?: string[]; opened?: 'start' | 'resume' | 'attach' }
  | { ok: false; message: string; kind: ErrorKind; missing?: MissingVar[] };
