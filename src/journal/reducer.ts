import type { StepKind } from '../runbook/schema.js';
import type {
  CheckDetails,
  ConnectionIdentity,
  JournalEvent,
  LintAllowed,
  PlanPhase,
  RunStartedPayload,
  SoakCheckResult,
  StopCause,
} from './events.js';

// The state of a run is reduce(journal events): nothing else holds run state.

export type StepStatus =
  | 'pending'
  | 'running'
  // A soak between its start and its end: it outlives the process that started it.
  | 'soaking'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'interrupted'
  | 'rolling_back'
  | 'rolled_back'
  | 'rollback_failed';

export interface Signoff {
  operator: string;
  // The verified Unix user; journals from before it was recorded have only the operator name.
  user?: string;
  // Team mode: the database role of the signer's connection, and the host they signed from.
  role?: string;
  host?: string;
  ts: string;
  note: string;
}

// Who a sign-off counts for when a gate needs several different people: in team mode the
// database role, else the verified Unix user.
export function signerOf(signoff: Pick<Signoff, 'operator' | 'user' | 'role'>): string {
  return signoff.role ?? signoff.user ?? signoff.operator;
}

// What different people means for a run's sign-offs, for the sentences that ask for another.
export function signerKind(signoff: Pick<Signoff, 'role'>): string {
  return signoff.role === undefined ? 'Unix users' : 'database roles';
}

export interface SoakCheck {
  at: string;
  ok: boolean;
  results: SoakCheckResult[];
}

export interface SoakState {
  startedAt: string;
  endsAt: string;
  everyMs: number;
  // The latest evaluations (at most soakHistory), and how many there were in all.
  history: SoakCheck[];
  evaluations: number;
  // Sign-offs ending it early; it ends when enough different operators signed (see soakSignoffs).
  earlySignoffs: Signoff[];
}

export const soakHistory = 20;

export interface StepState {
  id: string;
  phase: string;
  title: string;
  kind: StepKind;
  reversible: boolean;
  pointOfNoReturn: boolean;
  lintAllowed?: LintAllowed;
  status: StepStatus;
  attempts: number;
  operator?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  rows?: number;
  summary?: string;
  error?: string;
  details?: CheckDetails | Record<string, unknown>;
  retryInMs?: number;
  log?: string;
  signoff?: Signoff;
  confirmedBy?: Signoff;
  skipReason?: string;
  probe?: { applied: boolean; details?: CheckDetails | Record<string, unknown> };
  progress?: { message: string; data?: Record<string, unknown>; ts: string };
  // The process group of the attempt's command (the latest one the attempt started), for a resume
  // to end what a crash left running. Cleared when the step starts again.
  processGroup?: number;
  // Held by replica lag since ts, and why; cleared when the hold ends or the step starts again.
  throttled?: { reason: string; ts: string };
  // The run was paused while this attempt ran (q, Ctrl+C, a hang-up): the attempt was stopped,
  // and by whom, when and why. Cleared when the step starts again.
  stoppedByPause?: { operator: string; ts: string; reason: string };
  // The last attempt failed because it was stopped (pause, cancel, soak ended early), not on its own.
  stopped?: StopCause;
  batches: { count: number; rows: number; skipped: number; lastHi?: unknown; lastMs?: number };
  soak?: SoakState;
  rollback?: { how: 'reversed' | 'signed'; operator: string; ts: string; note?: string; error?: string };
  // A step that changes nothing (check, wait, compare) a finished rollback went past: it
  // succeeded, but what it found was before the rollback. Cleared when it runs again.
  passedOver?: { operator: string; ts: string };
}

// Ending a soak early takes as many operators as the runbook's strictest gate, at most two.
export function soakSignoffs(state: RunState): number {
  return state.phases.some((p) => (p.gate?.signoff ?? 0) >= 2) ? 2 : 1;
}

export type GateStatus = 'none' | 'open' | 'passed';

export interface PhaseState {
  id: string;
  title: string;
  steps: string[];
  gate?: { signoff: number; checks: number };
  gateStatus: GateStatus;
  gateSignoffs: Signoff[];
  gateCheck?: { ok: boolean; details?: Record<string, unknown> };
}

export type RunStatus = 'running' | 'paused' | 'succeeded' | 'failed' | 'rolling_back' | 'rolled_back';

export interface RunState {
  runId: string;
  started: RunStartedPayload;
  startedAt: string;
  status: RunStatus;
  pauseReason?: string;
  operators: string[];
  phases: PhaseState[];
  steps: Record<string, StepState>;
  order: string[];
  rollback?: {
    plan: string[];
    to?: string;
    operator: string;
    startedAt: string;
    finished: boolean;
    complete: boolean;
  };
  // When run.finished was journaled (a finished run's end, from which a rollback window counts).
  finishedAt?: string;
  // Connections moved on purpose to another target (--retarget), in order.
  retargets?: Array<{ conn: string; from: string; to: string; reason: string; operator: string; ts: string }>;
  lastEventAt: string;
  seq: number;
  hash: string;
}

function initialSteps(plan: PlanPhase[]): Record<string, StepState> {
  const steps: Record<string, StepState> = {};
  for (const phase of plan) {
    for (const s of phase.steps) {
      steps[s.id] = {
        id: s.id,
        phase: phase.id,
        title: s.title,
        kind: s.kind,
        reversible: s.reversible,
        pointOfNoReturn: s.point_of_no_return,
        lintAllowed: s.lint_allowed,
        status: 'pending',
        attempts: 0,
        batches: { count: 0, rows: 0, skipped: 0 },
      };
    }
  }
  return steps;
}

// Accepted drift: the new plan's steps keep the state they had; removed steps leave the order
// but stay in `steps` for the report.
function replan(state: RunState, plan: PlanPhase[], stepHashes: Record<string, string>): RunState {
  const fresh = initialSteps(plan);
  const steps: Record<string, StepState> = { ...state.steps };
  for (const [id, s] of Object.entries(fresh)) {
    const old = state.steps[id];
    steps[id] = old
      ? { ...old, phase: s.phase, title: s.title, kind: s.kind, reversible: s.reversible, lintAllowed: s.lintAllowed }
      : s;
  }
  const phases = plan.map((p) => {
    const old = state.phases.find((o) => o.id === p.id);
    return {
      id: p.id,
      title: p.title,
      steps: p.steps.map((s) => s.id),
      gate: p.gate,
      gateStatus:
        old?.gateStatus === 'passed' ? ('passed' as const) : p.gate ? ('open' as const) : ('none' as const),
      gateSignoffs: old?.gateSignoffs ?? [],
      gateCheck: old?.gateCheck,
    };
  });
  return {
    ...state,
    started: { ...state.started, plan, step_hashes: stepHashes },
    phases,
    steps,
    order: plan.flatMap((p) => p.steps.map((s) => s.id)),
  };
}

export class ReduceError extends Error {
  constructor(
    message: string,
    readonly seq: number,
  ) {
    super(`event ${seq}: ${message}`);
  }
}

// In reduceInPlace() the steps map is the caller's own and no intermediate state escapes: an
// event then replaces its step in place instead of copying the map (a copy per event made
// replaying a long run quadratic in practice: steps × events).
let replaying = false;

// Journals written before step.process_started carried a command's process group in a progress
// event's data.
function legacyProcessGroup(data: Record<string, unknown> | undefined): number | undefined {
  const pgid = data?.pgid;
  return typeof pgid === 'number' && Number.isInteger(pgid) && pgid > 0 ? pgid : undefined;
}

function updateStep(state: RunState, id: string, seq: number, patch: (s: StepState) => StepState): RunState {
  const current = state.steps[id];
  if (!current) throw new ReduceError(`unknown step "${id}"`, seq);
  if (replaying) {
    state.steps[id] = patch(current);
    return state;
  }
  return { ...state, steps: { ...state.steps, [id]: patch(current) } };
}

function updatePhase(
  state: RunState,
  id: string,
  seq: number,
  patch: (p: PhaseState) => PhaseState,
): RunState {
  const index = state.phases.findIndex((p) => p.id === id);
  if (index < 0) throw new ReduceError(`unknown phase "${id}"`, seq);
  const phases = state.phases.slice();
  phases[index] = patch(phases[index]);
  return { ...state, phases };
}

function withOperator(state: RunState, operator: string): string[] {
  return state.operators.includes(operator) ? state.operators : [...state.operators, operator];
}

// Pure and total: every event type is handled; an unknown one is an error.
export function reduce(state: RunState | undefined, event: JournalEvent): RunState {
  if (event.type === 'run.started') {
    if (state) throw new ReduceError('run.started twice', event.seq);
    const { seq, ts, prev: _prev, hash, type: _type, ...started } = event;
    return {
      runId: started.run_id,
      started,
      startedAt: ts,
      status: 'running',
      operators: [started.operator],
      phases: started.plan.map((p) => ({
        id: p.id,
        title: p.title,
        steps: p.steps.map((s) => s.id),
        gate: p.gate,
        gateStatus: p.gate ? 'open' : 'none',
        gateSignoffs: [],
      })),
      steps: initialSteps(started.plan),
      order: started.plan.flatMap((p) => p.steps.map((s) => s.id)),
      lastEventAt: ts,
      seq,
      hash,
    };
  }
  if (!state) throw new ReduceError(`${event.type} before run.started`, event.seq);
  const next = apply(state, event);
  return { ...next, lastEventAt: event.ts, seq: event.seq, hash: event.hash };
}

function apply(state: RunState, e: JournalEvent): RunState {
  switch (e.type) {
    case 'run.started':
      throw new ReduceError('run.started twice', e.seq);
    case 'run.resumed': {
      const replanned = e.plan ? replan(state, e.plan, e.step_hashes ?? state.started.step_hashes) : state;
      const base = e.pinned ? pin(replanned, e.pinned) : replanned;
      return {
        ...base,
        status: state.rollback && !state.rollback.finished ? 'rolling_back' : 'running',
        pauseReason: undefined,
        operators: withOperator(state, e.operator),
        steps: markInterrupted(base).steps,
      };
    }
    case 'connection.retargeted': {
      const old = state.started.connections[e.conn];
      const connections = {
        ...state.started.connections,
        [e.conn]: { ...old, target: e.to.address, identity: e.to },
      };
      const retarget = { conn: e.conn, from: e.from.address, to: e.to.address, reason: e.reason, operator: e.operator, ts: e.ts };
      return {
        ...state,
        started: { ...state.started, connections },
        operators: withOperator(state, e.operator),
        retargets: [...(state.retargets ?? []), retarget],
      };
    }
    case 'notify.failed':
    case 'sessions.ended':
      return state;
    case 'run.paused': {
      const paused = { ...state, status: 'paused' as const, pauseReason: e.reason };
      if (e.step === undefined || !state.steps[e.step]) return paused;
      const stoppedByPause = { operator: e.operator, ts: e.ts, reason: e.reason };
      return updateStep(paused, e.step, e.seq, (s) => ({ ...s, stoppedByPause }));
    }
    case 'run.finished':
      return {
        ...state,
        finishedAt: e.ts,
        status: e.outcome === 'succeeded' ? 'succeeded' : e.outcome === 'failed' ? 'failed' : 'rolled_back',
      };
    case 'step.started':
      if (e.rollback) {
        return updateStep(state, e.step, e.seq, (s) => ({
          ...s,
          status: 'rolling_back',
          log: e.log,
          processGroup: undefined,
        }));
      }
      return updateStep(
        { ...state, status: 'running', operators: withOperator(state, e.operator) },
        e.step,
        e.seq,
        (s) => ({
          ...s,
          status: 'running',
          attempts: Math.max(s.attempts, e.attempt),
          operator: e.operator,
          startedAt: e.ts,
          endedAt: undefined,
          error: undefined,
          retryInMs: undefined,
          stopped: undefined,
          stoppedByPause: undefined,
          passedOver: undefined,
          throttled: undefined,
          processGroup: undefined,
          log: e.log,
        }),
      );
    case 'step.succeeded':
      return updateStep(state, e.step, e.seq, (s) => ({
        ...s,
        status: 'succeeded',
        endedAt: e.ts,
        durationMs: e.duration_ms,
        rows: e.rows,
        summary: e.summary,
        details: e.details,
        error: undefined,
        throttled: undefined,
      }));
    case 'step.failed':
      return updateStep(state, e.step, e.seq, (s) => ({
        ...s,
        status: 'failed',
        endedAt: e.ts,
        durationMs: e.duration_ms,
        error: e.error,
        details: e.details,
        retryInMs: e.retry_in_ms,
        // Journals written before the cause was typed marked a pause by the error's prefix.
        stopped: e.stopped ?? (e.error.startsWith('interrupted: ') ? 'pause' : undefined),
        throttled: undefined,
      }));
    case 'step.skipped':
      return updateStep({ ...state, operators: withOperator(state, e.operator) }, e.step, e.seq, (s) => ({
        ...s,
        status: 'skipped',
        skipReason: e.reason,
        operator: e.operator,
        endedAt: e.ts,
        passedOver: undefined,
      }));
    case 'step.signed': {
      const signoff = { operator: e.operator, user: e.user, role: e.role, host: e.host, ts: e.ts, note: e.note };
      const withOp = { ...state, operators: withOperator(state, e.operator) };
      if (e.purpose === 'confirm') {
        return updateStep(withOp, e.step, e.seq, (s) => ({ ...s, confirmedBy: signoff }));
      }
      if (e.purpose === 'soak') return endSoakEarly(withOp, e.step, e.seq, signoff);
      return updateStep(withOp, e.step, e.seq, (s) => ({
        ...s,
        status: 'succeeded',
        signoff,
        operator: s.operator ?? e.operator,
        endedAt: e.ts,
        durationMs: s.startedAt ? Date.parse(e.ts) - Date.parse(s.startedAt) : s.durationMs,
      }));
    }
    case 'soak.started':
      return updateStep(state, e.step, e.seq, (s) => ({
        ...s,
        status: 'soaking',
        soak: {
          startedAt: e.started_at,
          endsAt: e.ends_at,
          everyMs: e.every_ms,
          history: [],
          evaluations: 0,
          earlySignoffs: [],
        },
      }));
    case 'soak.checked':
      return updateStep(state, e.step, e.seq, (s) =>
        s.soak
          ? {
              ...s,
              soak: {
                ...s.soak,
                history: [...s.soak.history, { at: e.at, ok: e.ok, results: e.results }].slice(-soakHistory),
                evaluations: s.soak.evaluations + 1,
              },
            }
          : s,
      );
    case 'step.probed':
      return updateStep(state, e.step, e.seq, (s) => ({
        ...s,
        probe: { applied: e.applied, details: e.details },
      }));
    case 'step.process_started':
      return updateStep(state, e.step, e.seq, (s) => ({ ...s, processGroup: e.pgid }));
    case 'step.progress':
      return updateStep(state, e.step, e.seq, (s) => ({
        ...s,
        progress: { message: e.message, data: e.data, ts: e.ts },
        processGroup: legacyProcessGroup(e.data) ?? s.processGroup,
      }));
    case 'batch.committed':
      return updateStep(state, e.step, e.seq, (s) => ({
        ...s,
        batches: {
          count: s.batches.count + 1,
          rows: s.batches.rows + e.rows,
          skipped: s.batches.skipped + e.skipped,
          lastHi: e.hi,
          lastMs: e.duration_ms,
        },
      }));
    case 'step.throttled':
      return updateStep(state, e.step, e.seq, (s) => ({
        ...s,
        throttled: e.throttled ? { reason: e.reason, ts: e.ts } : undefined,
      }));
    case 'gate.signed':
      return updatePhase({ ...state, operators: withOperator(state, e.operator) }, e.phase, e.seq, (p) => ({
        ...p,
        gateSignoffs: [
          ...p.gateSignoffs,
          { operator: e.operator, user: e.user, role: e.role, host: e.host, ts: e.ts, note: e.note },
        ],
      }));
    case 'gate.checked':
      return updatePhase(state, e.phase, e.seq, (p) => ({
        ...p,
        gateCheck: { ok: e.ok, details: e.details },
      }));
    case 'gate.passed':
      return updatePhase(state, e.phase, e.seq, (p) => ({ ...p, gateStatus: 'passed' }));
    case 'rollback.started':
      return {
        ...stopSoaks(state),
        status: 'rolling_back',
        operators: withOperator(state, e.operator),
        rollback: {
          plan: e.plan,
          to: e.to,
          operator: e.operator,
          startedAt: e.ts,
          finished: false,
          complete: false,
        },
      };
    case 'step.rolled_back':
      return updateStep(state, e.step, e.seq, (s) => ({
        ...s,
        status: 'rolled_back',
        // A re-run after a rollback starts its batches afresh.
        batches: { count: 0, rows: 0, skipped: 0 },
        rollback: { how: e.how, operator: e.operator, ts: e.ts, note: e.note },
      }));
    case 'step.rollback_failed':
      return updateStep(state, e.step, e.seq, (s) => ({
        ...s,
        status: 'rollback_failed',
        rollback: { how: 'reversed', operator: state.rollback?.operator ?? '', ts: e.ts, error: e.error },
      }));
    case 'rollback.finished':
      return {
        ...(e.complete ? passOver(state, e.ts) : state),
        // A partial rollback (--to) leaves a run that can go forward again; run.finished closes a
        // full one.
        status: e.complete ? 'paused' : 'failed',
        rollback: state.rollback ? { ...state.rollback, finished: true, complete: e.complete } : undefined,
      };
    default: {
      const unknown: never = e;
      throw new ReduceError(
        `unknown event type "${(unknown as { type: string }).type}"`,
        (unknown as JournalEvent).seq,
      );
    }
  }
}

function endSoakEarly(state: RunState, id: string, seq: number, signoff: Signoff): RunState {
  const needed = soakSignoffs(state);
  return updateStep(state, id, seq, (s) => {
    if (!s.soak) return s;
    const earlySignoffs = [...s.soak.earlySignoffs, signoff];
    const signers = new Set(earlySignoffs.map(signerOf)).size;
    const soak = { ...s.soak, earlySignoffs };
    if (signers < needed) return { ...s, soak };
    return {
      ...s,
      soak,
      status: 'succeeded',
      signoff,
      endedAt: signoff.ts,
      durationMs: Date.parse(signoff.ts) - Date.parse(s.soak.startedAt),
    };
  });
}

// A rollback stops the soaks: one that should run again starts afresh.
function stopSoaks(state: RunState): RunState {
  const soaking = Object.values(state.steps).filter((s) => s.status === 'soaking');
  if (!soaking.length) return state;
  const steps = { ...state.steps };
  for (const s of soaking) steps[s.id] = { ...s, status: 'pending' };
  return { ...state, steps };
}

function pin(state: RunState, identities: Record<string, ConnectionIdentity>): RunState {
  const connections = { ...state.started.connections };
  for (const [name, identity] of Object.entries(identities)) {
    const journaled = connections[name] ?? { production: false, embedded: identity.driver === 'pglite' };
    connections[name] = { ...journaled, target: identity.address, identity };
  }
  return { ...state, started: { ...state.started, connections } };
}

// A complete rollback reversed or signed off every step of its plan; those still succeeded are
// the ones it passed over, and so are the steps skipped in the stretch it rolled back (a skipped
// step is no longer done once the run is back before it).
function passOver(state: RunState, ts: string): RunState {
  const rollback = state.rollback;
  if (!rollback) return state;
  const steps = { ...state.steps };
  const by = { operator: rollback.operator, ts };
  for (const id of rollback.plan) {
    const s = steps[id];
    if (s?.status === 'succeeded') steps[id] = { ...s, passedOver: by };
  }
  const from = rollback.to === undefined ? 0 : state.order.indexOf(rollback.to) + 1;
  for (const id of state.order.slice(from)) {
    if (steps[id]?.status === 'skipped') steps[id] = { ...steps[id], passedOver: by };
  }
  return { ...state, steps };
}

export function replay(events: Iterable<JournalEvent>): RunState | undefined {
  let state: RunState | undefined;
  for (const e of events) state = reduceInPlace(state, e);
  return state;
}

// reduce() for a caller that owns `state` and keeps none of its earlier states (a replay, a
// run's record): the event replaces its step in the steps map in place.
export function reduceInPlace(state: RunState | undefined, event: JournalEvent): RunState {
  replaying = true;
  try {
    return reduce(state, event);
  } finally {
    replaying = false;
  }
}

// A step whose last start has no end is interrupted (and a rollback cut off is failed): derived
// on replay and on run.resumed, journaled by no one.
export function markInterrupted(state: RunState): RunState {
  let changed = false;
  const steps: Record<string, StepState> = {};
  for (const [id, s] of Object.entries(state.steps)) {
    if (s.status === 'running') steps[id] = { ...s, status: 'interrupted' };
    else if (s.status === 'rolling_back') steps[id] = { ...s, status: 'rollback_failed' };
    else steps[id] = s;
    changed ||= steps[id] !== s;
  }
  return changed ? { ...state, steps } : state;
}
