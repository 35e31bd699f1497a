import type { JournalEvent } from './events.js';
import type { JournalProblem } from './file-journal.js';
import type { RunState } from './reducer.js';

// What happened in a run beyond its present state, for its report: who opened it and when, every
// sign-off, interruptions, rollbacks, accepted drift. A fold of the journal like the reducer, kept
// beside the run's state in its record (run-record.ts) and its snapshots.

export interface SignoffRecord {
  operator: string;
  // The Unix user the engine verified, when the journal has it.
  user?: string;
  // Team mode: the signer's database role and host.
  role?: string;
  host?: string;
  at: string;
  note: string;
}

export interface StepSignoff extends SignoffRecord {
  // manual: the instruction was done; marked done: settled after an interruption or failure;
  // soak ended early: a soak signed off before its time (the note says why).
  purpose: 'manual' | 'marked done' | 'soak ended early';
}

export interface ReportRollbackStep {
  step: string;
  number?: string;
  title: string;
  how: 'reversed' | 'signed' | 'failed';
  operator: string;
  at: string;
  durationMs: number;
  note?: string;
  error?: string;
}

export interface ReportRollback {
  operator: string;
  startedAt: string;
  // After the rollback window closed: when it closed and why the operator went on.
  pastWindow?: { closed_at: string; reason: string };
  to?: string;
  plan: string[];
  state: 'complete' | 'incomplete' | 'in progress';
  steps: ReportRollbackStep[];
}

export interface ReportSession {
  kind: 'started' | 'resumed' | 'reopened for rollback';
  operator: string;
  host: string;
  ssh?: string;
  pid: number;
  at: string;
  // Team mode: the engine on another host whose run this session took over.
  tookOver?: { host: string; pid: number };
}

export interface StepRecords {
  signoffs: StepSignoff[];
  confirmations: SignoffRecord[];
  probe?: { applied: boolean; at: string };
  interruptedAt: string[];
  // Batches committed by the forward run, kept through a rollback (the reducer starts afresh).
  batches: { count: number; rows: number; skipped: number };
}

export interface RunHistory {
  records: Record<string, StepRecords>;
  sessions: ReportSession[];
  // Each process's session spans its first to its last event (ms since the epoch); gaps between
  // sessions are not time used.
  spans: Array<[number, number]>;
  drift: Array<{ at: string; operator: string; steps: string[] }>;
  rollbacks: ReportRollback[];
  // Events the reducer refused, with their lines.
  rejected: JournalProblem[];
}

export function emptyHistory(): RunHistory {
  return { records: {}, sessions: [], spans: [], drift: [], rollbacks: [], rejected: [] };
}

const signoffPurpose = {
  manual: 'manual',
  interrupted: 'marked done',
  soak: 'soak ended early',
} as const satisfies Record<string, StepSignoff['purpose']>;

function recordsOf(history: RunHistory, step: string): StepRecords {
  history.records[step] ??= {
    signoffs: [],
    confirmations: [],
    interruptedAt: [],
    batches: { count: 0, rows: 0, skipped: 0 },
  };
  return history.records[step];
}

// What the history needs from the state before an event: read before the reducer moves on
// (run-record.ts reduces in place).
export interface BeforeEvent {
  // Steps running when a process stopped: a new session finds them interrupted.
  running: string[];
  rolledBack: boolean;
}

export function beforeEvent(state: RunState | undefined, e: JournalEvent): BeforeEvent {
  const running =
    state && (e.type === 'run.started' || e.type === 'run.resumed')
      ? state.order.filter((id) => state.steps[id].status === 'running')
      : [];
  const rolledBack = e.type === 'step.started' && state?.steps[e.step]?.status === 'rolled_back';
  return { running, rolledBack };
}

// Adds an event the reducer accepted; `state` is the state after it. Mutates `history`.
export function addToHistory(history: RunHistory, before: BeforeEvent, state: RunState, e: JournalEvent): void {
  const at = Date.parse(e.ts);
  if (e.type === 'run.started' || e.type === 'run.resumed') history.spans.push([at, at]);
  else {
    const span = history.spans.at(-1);
    if (span) span[1] = at;
  }
  const title = (step: string) => state.steps[step]?.title ?? step;
  switch (e.type) {
    case 'run.started':
    case 'run.resumed':
      history.sessions.push({
        kind: e.type === 'run.started' ? 'started' : e.purpose === 'rollback' ? 'reopened for rollback' : 'resumed',
        operator: e.operator,
        host: e.host,
        ssh: e.ssh,
        pid: e.pid,
        at: e.ts,
        ...(e.type === 'run.resumed' && e.took_over ? { tookOver: e.took_over } : {}),
      });
      for (const id of before.running) recordsOf(history, id).interruptedAt.push(e.ts);
      if (e.type === 'run.resumed' && e.accepted_drift.length) {
        history.drift.push({ at: e.ts, operator: e.operator, steps: e.accepted_drift });
      }
      return;
    case 'step.signed': {
      const record = { operator: e.operator, user: e.user, role: e.role, host: e.host, at: e.ts, note: e.note };
      const r = recordsOf(history, e.step);
      if (e.purpose === 'confirm') r.confirmations.push(record);
      else r.signoffs.push({ ...record, purpose: signoffPurpose[e.purpose] });
      return;
    }
    case 'step.started':
      if (!e.rollback && before.rolledBack) recordsOf(history, e.step).batches = { count: 0, rows: 0, skipped: 0 };
      return;
    case 'batch.committed': {
      const r = recordsOf(history, e.step);
      r.batches = {
        count: r.batches.count + 1,
        rows: r.batches.rows + e.rows,
        skipped: r.batches.skipped + e.skipped,
      };
      return;
    }
    case 'step.probed':
      recordsOf(history, e.step).probe = { applied: e.applied, at: e.ts };
      return;
    case 'rollback.started':
      history.rollbacks.push({
        operator: e.operator,
        startedAt: e.ts,
        to: e.to,
        pastWindow: e.past_window,
        plan: e.plan,
        state: 'in progress',
        steps: [],
      });
      return;
    case 'step.rolled_back':
      history.rollbacks.at(-1)?.steps.push({
        step: e.step,
        title: title(e.step),
        how: e.how,
        operator: e.operator,
        at: e.ts,
        durationMs: e.duration_ms,
        note: e.note,
      });
      return;
    case 'step.rollback_failed': {
      const rollback = history.rollbacks.at(-1);
      rollback?.steps.push({
        step: e.step,
        title: title(e.step),
        how: 'failed',
        operator: rollback.operator,
        at: e.ts,
        durationMs: e.duration_ms,
        error: e.error,
      });
      return;
    }
    case 'rollback.finished': {
      const rollback = history.rollbacks.at(-1);
      if (rollback) rollback.state = e.complete ? 'complete' : 'incomplete';
      return;
    }
    default:
      return;
  }
}
