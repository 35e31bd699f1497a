import { type CheckDetails, isCheckDetails, type JournalEvent, type LintAllowed } from '../journal/events.js';
import type { JournalProblem } from '../journal/file-journal.js';
import type { RunState, StepState } from '../journal/reducer.js';
import type {
  ReportRollback,
  ReportSession,
  RunHistory,
  SignoffRecord,
  StepSignoff,
} from '../journal/run-history.js';
import { recordOf, type RunRecord } from '../journal/run-record.js';
import { describeRunState, stepNumbers, stepsDone } from '../journal/run-questions.js';

// The sign-off sheet of a run, as data: everything an auditor or a change ticket needs, from
// the journal alone. Rendered as Markdown by render-report-markdown.ts; as JSON it is this object.

export type StepOutcome =
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'rolled back'
  | 'rollback failed'
  | 'interrupted'
  | 'running'
  | 'rolling back'
  | 'soaking'
  | 'pending';

export type RunOutcome = ReturnType<typeof describeRunState>;

export interface ReportStep {
  number: string;
  id: string;
  title: string;
  kind: string;
  operator?: string;
  startedAt?: string;
  durationMs?: number;
  attempts: number;
  outcome: StepOutcome;
  skipReason?: string;
  error?: string;
  rows?: number;
  batches?: { count: number; rows: number; skipped: number; skippedBecause?: string };
  summary?: string;
  check?: CheckDetails;
  signoffs: StepSignoff[];
  confirmations: SignoffRecord[];
  probe?: { applied: boolean; at: string };
  // When a resume found the step interrupted (its process had stopped mid-step).
  interruptedAt: string[];
  pointOfNoReturn: boolean;
  // Lint rules the runbook allowed this step to break, and why.
  lintAllowed?: LintAllowed;
}

export interface ReportGate {
  signoffsRequired: number;
  checks: number;
  passed: boolean;
  signoffs: SignoffRecord[];
  checked?: { ok: boolean; failures: string[] };
}

export interface ReportPhase {
  number: number;
  id: string;
  title: string;
  steps: ReportStep[];
  gate?: ReportGate;
}

export interface Report {
  runId: string;
  runbook: { name: string; title: string; path: string; sha256: string };
  version: string;
  outcome: RunOutcome;
  pauseReason?: string;
  startedAt: string;
  lastEventAt: string;
  operators: string[];
  sessions: ReportSession[];
  connections: Array<{ name: string; target: string; production: boolean; embedded: boolean }>;
  // Connections moved on purpose to another target (resume or rollback --retarget).
  retargets: NonNullable<RunState['retargets']>;
  vars: Record<string, string>;
  // Time used counts the time a stepwise process was driving the run (pauses between sessions
  // are not counted); the rollback's own time is counted against its own budget.
  window: { budgetMs?: number; usedMs: number; rollbackBudgetMs?: number; rollbackUsedMs?: number };
  progress: { done: number; total: number };
  phases: ReportPhase[];
  rollbacks: ReportRollback[];
  drift: Array<{ at: string; operator: string; steps: string[] }>;
  // Steps that ran but were removed from the runbook by accepted drift.
  removedSteps: ReportStep[];
  integrity: {
    ok: boolean;
    events: number;
    lastHash?: string;
    // The hash chain was checked from this event on: the events before it were read from the
    // run's snapshot (\`stepwise verify\` checks the whole chain). Absent: checked from the top.
    checkedFromSeq?: number;
    tornTail?: JournalProblem;
    problems: JournalProblem[];
  };
}

export interface BuildReportOptions {
  // From readJournal: damage found while reading, and the line of each event.
  problems?: JournalProblem[];
  tornTail?: JournalProblem;
  lines?: number[];
  // Whether a process still drives the run; a running run without one was interrupted.
  live?: boolean;
  // The journal was read from a snapshot's point, after the event with this seq.
  checkedFromSeq?: number;
}

// What a backfill said its passed-over rows mean (absent in journals from before it said).
function skippedBecause(details: unknown): string | undefined {
  const because = (details as { skipped_because?: unknown } | undefined)?.skipped_because;
  return typeof because === 'string' ? because : undefined;
}

function stepOutcome(s: StepState, live: boolean): StepOutcome {
  switch (s.status) {
    case 'running':
      return live ? 'running' : 'interrupted';
    case 'rolling_back':
      return live ? 'rolling back' : 'interrupted';
    case 'rolled_back':
      return 'rolled back';
    case 'rollback_failed':
      return 'rollback failed';
    default:
      return s.status;
  }
}

// Sums the time inside [from, to) covered by the sessions.
function timeWithin(sessions: Array<[number, number]>, from: number, to: number): number {
  let total = 0;
  for (const [start, end] of sessions) total += Math.max(0, Math.min(end, to) - Math.max(start, from));
  return total;
}

function reportStep(state: RunState, history: RunHistory, id: string, number: string, live: boolean): ReportStep {
  const s = state.steps[id];
  const r = history.records[id];
  return {
    number,
    id,
    title: s.title,
    kind: s.kind,
    operator: s.operator,
    startedAt: s.startedAt,
    durationMs: s.durationMs,
    attempts: s.attempts,
    outcome: stepOutcome(s, live),
    skipReason: s.skipReason,
    error: s.status === 'failed' || s.status === 'interrupted' ? s.error : s.rollback?.error,
    rows: s.rows,
    batches:
      r && r.batches.count > 0
        ? { ...r.batches, skippedBecause: skippedBecause(s.details) }
        : undefined,
    summary: s.summary,
    check: isCheckDetails(s.details) ? s.details : undefined,
    signoffs: r?.signoffs ?? [],
    confirmations: r?.confirmations ?? [],
    probe: r?.probe,
    interruptedAt: r?.interruptedAt ?? [],
    pointOfNoReturn: s.pointOfNoReturn,
    lintAllowed: s.lintAllowed,
  };
}

export function buildReport(events: JournalEvent[], options: BuildReportOptions = {}): Report {
  return reportOf(recordOf(events, options.lines), options);
}

// The report of a run's record (journal/run-record.ts).
export function reportOf(record: RunRecord, options: BuildReportOptions = {}): Report {
  const { state, history } = record;
  if (!state) throw new Error('the journal has no run.started event: there is no run to report on');
  const live = options.live ?? false;
  const numbers = stepNumbers(state.phases);
  const phases: ReportPhase[] = state.phases.map((p, i) => {
    const steps = p.steps.map((id) => reportStep(state, history, id, numbers.get(id)!, live));
    return {
      number: i + 1,
      id: p.id,
      title: p.title,
      steps,
      gate: p.gate
        ? {
            signoffsRequired: p.gate.signoff,
            checks: p.gate.checks,
            passed: p.gateStatus === 'passed',
            signoffs: p.gateSignoffs.map((s) => ({
              operator: s.operator,
              user: s.user,
              role: s.role,
              host: s.host,
              at: s.ts,
              note: s.note,
            })),
            checked: p.gateCheck
              ? {
                  ok: p.gateCheck.ok,
                  failures: Array.isArray(p.gateCheck.details?.failures)
                    ? p.gateCheck.details.failures.map(String)
                    : [],
                }
              : undefined,
          }
        : undefined,
    };
  });
  for (const rollback of history.rollbacks) {
    for (const step of rollback.steps) step.number = numbers.get(step.step);
  }
  const inPlan = new Set(state.order);
  const removedSteps = Object.keys(state.steps)
    .filter((id) => !inPlan.has(id) && state.steps[id].status !== 'pending')
    .map((id) => reportStep(state, history, id, '-', live));
  const start = Date.parse(state.startedAt);
  const end = Date.parse(state.lastEventAt);
  const rollbackStart = history.rollbacks[0] ? Date.parse(history.rollbacks[0].startedAt) : undefined;
  const window = state.started.window;
  const problems = [...(options.problems ?? []), ...history.rejected].sort((a, b) => a.line - b.line);
  return {
    runId: state.runId,
    runbook: state.started.runbook,
    version: state.started.version,
    outcome: describeRunState(state, live),
    pauseReason: state.status === 'paused' ? state.pauseReason : undefined,
    startedAt: state.startedAt,
    lastEventAt: state.lastEventAt,
    operators: state.operators,
    sessions: history.sessions,
    connections: Object.entries(state.started.connections).map(([name, c]) => ({ name, ...c })),
    retargets: state.retargets ?? [],
    vars: state.started.vars,
    window: {
      budgetMs: window?.budget_ms,
      usedMs: timeWithin(history.spans, start, rollbackStart ?? end + 1),
      rollbackBudgetMs: window?.rollback_budget_ms,
      rollbackUsedMs:
        rollbackStart === undefined ? undefined : timeWithin(history.spans, rollbackStart, end + 1),
    },
    progress: stepsDone(state),
    phases,
    rollbacks: history.rollbacks,
    drift: history.drift,
    removedSteps,
    integrity: {
      ok: problems.length === 0,
      events: record.events,
      lastHash: record.lastHash,
      checkedFromSeq: options.checkedFromSeq,
      tornTail: options.tornTail,
      problems,
    },
  };
}
