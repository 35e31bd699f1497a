import { type CheckDetails, isCheckDetails, type JournalEvent } from '../journal/events.js';
import type { JournalProblem } from '../journal/file-journal.js';
import { ReduceError, type RunState, reduce, type StepState } from '../journal/reducer.js';
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

export interface SignoffRecord {
  operator: string;
  // The Unix user the engine verified, when the journal has it.
  user?: string;
  at: string;
  note: string;
}

export interface StepSignoff extends SignoffRecord {
  // manual: the instruction was done; marked done: settled after an interruption or failure;
  // soak ended early: a soak signed off before its time (the note says why).
  purpose: 'manual' | 'marked done' | 'soak ended early';
}

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
  batches?: { count: number; rows: number; skipped: number };
  summary?: string;
  check?: CheckDetails;
  signoffs: StepSignoff[];
  confirmations: SignoffRecord[];
  probe?: { applied: boolean; at: string };
  // When a resume found the step interrupted (its process had stopped mid-step).
  interruptedAt: string[];
  pointOfNoReturn: boolean;
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
  kind: 'started' | 'resumed';
  operator: string;
  host: string;
  ssh?: string;
  pid: number;
  at: string;
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
}

interface StepRecords {
  signoffs: StepSignoff[];
  confirmations: SignoffRecord[];
  probe?: { applied: boolean; at: string };
  interruptedAt: string[];
  // Batches committed by the forward run, kept through a rollback (the reducer starts afresh).
  batches: { count: number; rows: number; skipped: number };
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

const signoffPurpose = {
  manual: 'manual',
  interrupted: 'marked done',
  soak: 'soak ended early',
} as const satisfies Record<string, StepSignoff['purpose']>;

class ReportBuilder {
  state?: RunState;
  readonly records = new Map<string, StepRecords>();
  readonly sessions: ReportSession[] = [];
  readonly spans: Array<[number, number]> = [];
  readonly drift: Report['drift'] = [];
  readonly rollbacks: ReportRollback[] = [];
  readonly rejected: JournalProblem[] = [];

  private recordsOf(step: string): StepRecords {
    let r = this.records.get(step);
    if (!r) {
      r = { signoffs: [], confirmations: [], interruptedAt: [], batches: { count: 0, rows: 0, skipped: 0 } };
      this.records.set(step, r);
    }
    return r;
  }

  private title(step: string): string {
    return this.state?.steps[step]?.title ?? step;
  }

  add(e: JournalEvent, line: number): void {
    const before = this.state;
    try {
      this.state = reduce(before, e);
    } catch (error) {
      if (!(error instanceof ReduceError)) throw error;
      this.rejected.push({ line, message: `event rejected: ${error.message}` });
      return;
    }
    // Each process's session spans its first to its last event; gaps between sessions are not
    // time used.
    const at = Date.parse(e.ts);
    if (e.type === 'run.started' || e.type === 'run.resumed') this.spans.push([at, at]);
    else {
      const span = this.spans.at(-1);
      if (span) span[1] = at;
    }
    switch (e.type) {
      case 'run.started':
      case 'run.resumed':
        this.sessions.push({
          kind: e.type === 'run.started' ? 'started' : 'resumed',
          operator: e.operator,
          host: e.host,
          ssh: e.ssh,
          pid: e.pid,
          at: e.ts,
        });
        // Steps still running when the previous process stopped were interrupted.
        for (const id of before?.order ?? []) {
          if (before?.steps[id].status === 'running') this.recordsOf(id).interruptedAt.push(e.ts);
        }
        if (e.type === 'run.resumed' && e.accepted_drift.length) {
          this.drift.push({ at: e.ts, operator: e.operator, steps: e.accepted_drift });
        }
        return;
      case 'step.signed': {
        const record = { operator: e.operator, user: e.user, at: e.ts, note: e.note };
        const r = this.recordsOf(e.step);
        if (e.purpose === 'confirm') r.confirmations.push(record);
        else r.signoffs.push({ ...record, purpose: signoffPurpose[e.purpose] });
        return;
      }
      case 'step.started':
        if (!e.rollback && before?.steps[e.step]?.status === 'rolled_back') {
          this.recordsOf(e.step).batches = { count: 0, rows: 0, skipped: 0 };
        }
        return;
      case 'batch.committed': {
        const r = this.recordsOf(e.step);
        r.batches = {
          count: r.batches.count + 1,
          rows: r.batches.rows + e.rows,
          skipped: r.batches.skipped + e.skipped,
        };
        return;
      }
      case 'step.probed':
        this.recordsOf(e.step).probe = { applied: e.applied, at: e.ts };
        return;
      case 'rollback.started':
        this.rollbacks.push({
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
        this.rollbacks.at(-1)?.steps.push({
          step: e.step,
          title: this.title(e.step),
          how: e.how,
          operator: e.operator,
          at: e.ts,
          durationMs: e.duration_ms,
          note: e.note,
        });
        return;
      case 'step.rollback_failed': {
        const rollback = this.rollbacks.at(-1);
        rollback?.steps.push({
          step: e.step,
          title: this.title(e.step),
          how: 'failed',
          operator: rollback.operator,
          at: e.ts,
          durationMs: e.duration_ms,
          error: e.error,
        });
        return;
      }
      case 'rollback.finished': {
        const rollback = this.rollbacks.at(-1);
        if (rollback) rollback.state = e.complete ? 'complete' : 'incomplete';
        return;
      }
      default:
        return;
    }
  }

  reportStep(id: string, number: string, live: boolean): ReportStep {
    const s = this.state!.steps[id];
    const r = this.records.get(id);
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
      batches: r && r.batches.count > 0 ? r.batches : undefined,
      summary: s.summary,
      check: isCheckDetails(s.details) ? s.details : undefined,
      signoffs: r?.signoffs ?? [],
      confirmations: r?.confirmations ?? [],
      probe: r?.probe,
      interruptedAt: r?.interruptedAt ?? [],
      pointOfNoReturn: s.pointOfNoReturn,
    };
  }
}

export function buildReport(events: JournalEvent[], options: BuildReportOptions = {}): Report {
  const builder = new ReportBuilder();
  events.forEach((e, i) => {
    builder.add(e, options.lines?.[i] ?? i + 1);
  });
  const state = builder.state;
  if (!state) throw new Error('the journal has no run.started event: there is no run to report on');
  const live = options.live ?? false;
  const numbers = stepNumbers(state.phases);
  const phases: ReportPhase[] = state.phases.map((p, i) => {
    const steps = p.steps.map((id) => builder.reportStep(id, numbers.get(id)!, live));
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
            signoffs: p.gateSignoffs.map((s) => ({ operator: s.operator, user: s.user, at: s.ts, note: s.note })),
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
  for (const rollback of builder.rollbacks) {
    for (const step of rollback.steps) step.number = numbers.get(step.step);
  }
  const inPlan = new Set(state.order);
  const removedSteps = Object.keys(state.steps)
    .filter((id) => !inPlan.has(id) && state.steps[id].status !== 'pending')
    .map((id) => builder.reportStep(id, '-', live));
  const start = Date.parse(state.startedAt);
  const end = Date.parse(state.lastEventAt);
  const rollbackStart = builder.rollbacks[0] ? Date.parse(builder.rollbacks[0].startedAt) : undefined;
  const window = state.started.window;
  const problems = [...(options.problems ?? []), ...builder.rejected].sort((a, b) => a.line - b.line);
  return {
    runId: state.runId,
    runbook: state.started.runbook,
    version: state.started.version,
    outcome: describeRunState(state, live),
    pauseReason: state.status === 'paused' ? state.pauseReason : undefined,
    startedAt: state.startedAt,
    lastEventAt: state.lastEventAt,
    operators: state.operators,
    sessions: builder.sessions,
    connections: Object.entries(state.started.connections).map(([name, c]) => ({ name, ...c })),
    retargets: state.retargets ?? [],
    vars: state.started.vars,
    window: {
      budgetMs: window?.budget_ms,
      usedMs: timeWithin(builder.spans, start, rollbackStart ?? end + 1),
      rollbackBudgetMs: window?.rollback_budget_ms,
      rollbackUsedMs:
        rollbackStart === undefined ? undefined : timeWithin(builder.spans, rollbackStart, end + 1),
    },
    progress: stepsDone(state),
    phases,
    rollbacks: builder.rollbacks,
    drift: builder.drift,
    removedSteps,
    integrity: {
      ok: problems.length === 0,
      events: events.length,
      lastHash: events.at(-1)?.hash,
      tornTail: options.tornTail,
      problems,
    },
  };
}
