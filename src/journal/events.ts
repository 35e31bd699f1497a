import type { StepKind } from '../runbook/schema.js';

// Journal event types (ARCHITECTURE.md, Events: who appends each). Every event is one JSONL line:
// { seq, ts, type, ...payload, prev, hash }.

export interface LintAllowed {
  rules: string[];
  reason: string;
}

export interface PlanPhase {
  id: string;
  title: string;
  steps: Array<{
    id: string;
    title: string;
    kind: StepKind;
    reversible: boolean;
    point_of_no_return: boolean;
    /** SQL rules of `stepwise lint` the step may break, with the reason (absent: none, or older journals). */
    lint_allowed?: LintAllowed;
  }>;
  gate?: { signoff: number; checks: number };
}

/**
 * What a connection points at, journaled at run.started so that nothing later (resume, rollback,
 * a later step) runs somewhere else. A promoted replica keeps the system identifier and the
 * database's oid, so a failover is the same target; another server or database is not.
 */
export interface ConnectionIdentity {
  driver: 'postgres' | 'pglite';
  /** Redacted URL (postgres://user@host:port/db), or pglite:<data directory>. */
  address: string;
  database: string;
  database_oid: string;
  server_version: string;
  /** Absent when the role may not call pg_control_system(): the address stands in for it. */
  system_identifier?: string;
}

export interface RunStartedPayload {
  run_id: string;
  runbook: { path: string; name: string; title: string; sha256: string };
  step_hashes: Record<string, string>;
  plan: PlanPhase[];
  operator: string;
  host: string;
  ssh?: string;
  pid: number;
  vars: Record<string, string>;
  /** identity: absent in journals written before targets were pinned. */
  connections: Record<
    string,
    { target: string; production: boolean; embedded: boolean; identity?: ConnectionIdentity }
  >;
  window?: { budget_ms?: number; rollback_budget_ms?: number; rollback_within_ms?: number };
  version: string;
  /** A run by `stepwise rehearse` (on a scratch database): its durations feed the forecast too. */
  rehearsal?: boolean;
}

/** Who stopped a step that did not fail on its own. */
export type StopCause = 'pause' | 'cancel' | 'soak-ended';

export interface CheckDetails {
  expected: Record<string, unknown>;
  actual: Record<string, unknown>;
  failures?: string[];
  /** A SQL check's result: its first rows (bounded) and how many it returned. */
  rows?: Record<string, unknown>[];
  row_count?: number;
}

/** Step details carry a check's expected and actual values when the step checked something. */
export function isCheckDetails(details: unknown): details is CheckDetails {
  return (
    typeof details === 'object' &&
    details !== null &&
    typeof (details as CheckDetails).expected === 'object' &&
    typeof (details as CheckDetails).actual === 'object'
  );
}

/** A server session an earlier, dead process of the run left behind, as pg_stat_activity showed it. */
export interface LeftoverSession {
  pid: number;
  application_name: string;
  state: string | null;
  /** The statement's first 200 characters. */
  query: string;
  query_start: string | null;
}

export interface SoakCheckResult {
  ok: boolean;
  summary: string;
}

export type EventPayload =
  | ({ type: 'run.started' } & RunStartedPayload)
  | {
      type: 'run.resumed';
      operator: string;
      host: string;
      pid: number;
      ssh?: string;
      accepted_drift: string[];
      /** Why the run was opened again: to go on, or to roll back (absent in older journals: go on). */
      purpose?: 'resume' | 'rollback';
      /** With accepted drift: the runbook's plan and step hashes as they are now. */
      plan?: PlanPhase[];
      step_hashes?: Record<string, string>;
      /** Connections pinned on this resume: their journal had no identity for them yet. */
      pinned?: Record<string, ConnectionIdentity>;
      /** Team mode: the run was taken over from the engine on another host whose lease ran out. */
      took_over?: { host: string; pid: number };
    }
  | {
      type: 'connection.retargeted';
      conn: string;
      from: ConnectionIdentity;
      to: ConnectionIdentity;
      reason: string;
      operator: string;
    }
  /** A resume ended the sessions a dead attempt left running on a connection's server. */
  | { type: 'sessions.ended'; conn: string; sessions: LeftoverSession[] }
  | { type: 'run.paused'; reason: string; step?: string; operator: string }
  | { type: 'run.finished'; outcome: 'succeeded' | 'failed' | 'rolled_back' }
  | {
      type: 'step.started';
      step: string;
      attempt: number;
      operator: string;
      log: string;
      rollback?: boolean;
    }
  | {
      type: 'step.succeeded';
      step: string;
      attempt: number;
      duration_ms: number;
      rows?: number;
      summary?: string;
      details?: CheckDetails | Record<string, unknown>;
    }
  | {
      type: 'step.failed';
      step: string;
      attempt: number;
      duration_ms: number;
      error: string;
      details?: CheckDetails | Record<string, unknown>;
      retry_in_ms?: number;
      /**
       * Set when the step did not fail on its own: the run's pause, the operator's cancel, or
       * an early end of its soak stopped it.
       */
      stopped?: StopCause;
    }
  | { type: 'step.skipped'; step: string; reason: string; operator: string }
  | {
      type: 'step.signed';
      step: string;
      operator: string;
      /** The Unix user the engine verified (absent in journals written before it did). */
      user?: string;
      /** Team mode: the signer's database role (session_user) and host. */
      role?: string;
      host?: string;
      note: string;
      /**
       * manual: the instruction was done; interrupted: marked done after an interruption;
       * confirm: a typed confirmation before running; soak: a soak ended early (note: why).
       */
      purpose: 'manual' | 'interrupted' | 'confirm' | 'soak';
    }
  | {
      type: 'soak.started';
      step: string;
      /** By the engine's clock: when the checks will have held for the soak's whole `for`. */
      started_at: string;
      ends_at: string;
      every_ms: number;
    }
  | {
      type: 'soak.checked';
      step: string;
      at: string;
      ok: boolean;
      /** One per check of the soak, in order. */
      results: SoakCheckResult[];
    }
  | {
      type: 'step.probed';
      step: string;
      applied: boolean;
      details?: CheckDetails | Record<string, unknown>;
    }
  /**
   * A command of the step (or of its rollback) started in its own process group: a resume after a
   * crash ends that group before anything runs again.
   */
  | { type: 'step.process_started'; step: string; attempt: number; pgid: number }
  | {
      type: 'step.progress';
      step: string;
      message: string;
      /**
       * A backfill's figures (BackfillProgressData); another kind's own. Journals written before
       * step.process_started carried a command's process group here as `pgid`.
       */
      data?: Record<string, unknown>;
    }
  | {
      type: 'batch.committed';
      step: string;
      batch: number;
      lo: unknown;
      hi: unknown;
      rows: number;
      skipped: number;
      size: number;
      duration_ms: number;
    }
  /** A step's work held (or let go again) because a streaming replica lagged too far behind. */
  | { type: 'step.throttled'; step: string; throttled: boolean; reason: string }
  /**
   * user: the Unix user the engine verified; operator is the display name beside it. Team mode:
   * role is the signer's database role (session_user), host where they signed from.
   */
  | { type: 'gate.signed'; phase: string; operator: string; user?: string; role?: string; host?: string; note: string }
  | { type: 'gate.checked'; phase: string; ok: boolean; details?: Record<string, unknown> }
  | { type: 'gate.passed'; phase: string }
  | {
      type: 'rollback.started';
      operator: string;
      plan: string[];
      to?: string;
      /** Rolled back after the runbook's rollback window closed (--past-window --reason). */
      past_window?: { closed_at: string; reason: string };
    }
  | {
      type: 'step.rolled_back';
      step: string;
      operator: string;
      duration_ms: number;
      /** reversed: the rollback body ran; signed: irreversible, passed with a sign-off. */
      how: 'reversed' | 'signed';
      note?: string;
    }
  | { type: 'step.rollback_failed'; step: string; error: string; duration_ms: number }
  /** A notification (runbook `notify:`) that did not reach its command or webhook; the run goes on. */
  | { type: 'notify.failed'; event: string; target: string; error: string }
  /** cleanup: after a full rollback, what became of stepwise's own schema on each connection. */
  | { type: 'rollback.finished'; complete: boolean; cleanup?: string[] };

export type EventType = EventPayload['type'];

export interface EventMeta {
  seq: number;
  ts: string;
  prev: string;
  hash: string;
}

export type JournalEvent = EventPayload & EventMeta;

/**
 * Events that change the state of a run are fsync'd before the engine moves on.
 * step.progress only feeds the screen; losing the last ones in a crash loses nothing.
 */
export const volatileEvents: ReadonlySet<EventType> = new Set(['step.progress']);
