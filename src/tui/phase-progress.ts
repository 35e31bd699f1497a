import { type PhaseState, type RunState, type StepState, stepDone } from '../journal/reducer.js';

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
