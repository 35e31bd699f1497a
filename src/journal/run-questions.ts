import type { PhaseState, RunState, StepState } from './reducer.js';

// Questions about a run's state that every front end asks (checklist, printers, status, the
// report, the next action): answered here once, from the reduced state alone.

// Done as progress counts it and as going on takes it: skipped, or succeeded and not passed
// over by a rollback since (a rolled-back step is not done either; both run again going on).
export function stepDone(step: StepState): boolean {
  return (step.status === 'skipped' || step.status === 'succeeded') && step.passedOver === undefined;
}

// A step whose attempt the run's pause stopped (q, Ctrl+C, a hang-up): shown as stopped, not
// as a failure.
export function stoppedByPause(step: StepState): boolean {
  return step.status === 'failed' && step.stoppedByPause !== undefined;
}

// Progress as an operator counts it: steps done (succeeded or skipped, and not undone or passed
// over by a rollback since), of the steps in the plan.
export function stepsDone(state: RunState): { done: number; total: number } {
  let done = 0;
  for (const id of state.order) if (stepDone(state.steps[id])) done++;
  return { done, total: state.order.length };
}

export type PhaseCondition = 'pending' | 'active' | 'done' | 'failed' | 'rolled_back';

export interface PhaseProgress {
  done: number;
  total: number;
  condition: PhaseCondition;
  // All steps are done and the gate still waits.
  gateWaiting: boolean;
}

// Undone by a rollback: rolled back, or passed over because it changes nothing.
const undone = (s: StepState) => s.status === 'rolled_back' || (s.status === 'succeeded' && !stepDone(s));

// Counted as `stepwise status` counts (stepDone): after a rollback, what it undid or passed over
// is not done, and a phase it went through is rolled back, not done.
export function phaseProgress(phase: PhaseState, run: RunState): PhaseProgress {
  const steps = phase.steps.map((id) => run.steps[id]).filter((s) => s !== undefined);
  const done = steps.filter(stepDone).length;
  const total = steps.length;
  const gateWaiting = done === total && phase.gate !== undefined && phase.gateStatus !== 'passed';
  let condition: PhaseCondition = 'pending';
  if (
    steps.some((s) => s.status === 'failed' || s.status === 'rollback_failed' || s.status === 'interrupted')
  ) {
    condition = 'failed';
  } else if (
    steps.length > 0 &&
    steps.every((s) => undone(s) || s.status === 'pending' || s.status === 'skipped') &&
    steps.some(undone)
  ) {
    condition = 'rolled_back';
  } else if (done === total && !gateWaiting) {
    condition = 'done';
  } else if (steps.some((s) => s.status !== 'pending')) {
    condition = 'active';
  }
  return { done, total, condition, gateWaiting };
}

export type RunCondition =
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'failed'
  | 'rolling back'
  | 'rolled back'
  | 'interrupted';

// What a run is doing as a person says it: a run left running by a dead process is interrupted.
export function describeRunState(state: RunState, live: boolean): RunCondition {
  switch (state.status) {
    case 'running':
      return live ? 'running' : 'interrupted';
    case 'rolling_back':
      return live ? 'rolling back' : 'interrupted';
    case 'rolled_back':
      return 'rolled back';
    default:
      return state.status;
  }
}

// Step numbers as the checklist, the printers and the report show them: 2.3 is the third step
// of the second phase (of the plan as it stands, after any accepted drift).
export function stepNumbers(phases: ReadonlyArray<Pick<PhaseState, 'steps'>>): Map<string, string> {
  const numbers = new Map<string, string>();
  phases.forEach((phase, p) => phase.steps.forEach((step, s) => numbers.set(step, `${p + 1}.${s + 1}`)));
  return numbers;
}
