import type { ErrorKind } from '../errors/stepwise-error.js';

// What a front end asks of a new engine process (sent on its stdin, so values never show in
// `ps`): start a run, or open an existing one again.
export type HostRequest =
  | {
      kind: 'start';
      runbook: string;
      stateDir: string;
      vars: Record<string, string>;
      operator?: string;
      // `run --detach --yes`: the engine drives the run by itself from the start.
      drive?: { yes: boolean };
    }
  | {
      kind: 'resume';
      ref?: string;
      stateDir: string;
      vars: Record<string, string>;
      operator?: string;
      acceptDrift: boolean;
      purpose: 'resume' | 'rollback';
    };

// The engine's one line back on its ready channel (file descriptor 3), then it closes it.
export type HostReply = { ok: true; runId: string; pid: number } | { ok: false; message: string; kind: ErrorKind };
