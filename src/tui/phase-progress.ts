import type { PhaseState, RunState } from '../journal/reducer.js';

export type PhaseCondition = 'pending' | 'active' | 'done' | 'failed' | 'rolled_back';

export interface PhaseProgress {
  done: number;
  total: number;
  condition: PhaseCondition;
  // All steps are done and the gate still waits.
  gateWaiting: boolean;
}

const finished = new Set(['succeeded', 'skipped']);

export function phaseProgress(phase: PhaseState, run: RunState): PhaseProgress {
  const steps = phase.steps.map((id) => run.steps[id]).filter((s) => s !== undefined);
  const done = steps.filter((s) => finished.has(s.status)).length;
  const total = steps.length;
  const gateWaiting = done === total && phase.gate !== undefined && phase.gateStatus !== 'passed';
  let condition: PhaseCondition = 'pending';
  if (
    steps.some((s) => s.status === 'failed' || s.status === 'rollback_failed' || s.status === 'interrupted')
  ) {
    condition = 'failed';
  } else if (
    steps.length > 0 &&
    steps.every((s) => s.status === 'rolled_back' || s.status === 'pending' || s.status === 'skipped') &&
    steps.some((s) => s.status === 'rolled_back')
  ) {
    condition = 'rolled_back';
  } else if (done === total && !gateWaiting) {
    condition = 'done';
  } else if (steps.some((s) => s.status !== 'pending')) {
    condition = 'active';
  }
  return { done, total, condition, gateWaiting };
}
