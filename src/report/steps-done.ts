import type { RunState } from '../journal/reducer.js';

// Progress as an operator counts it: steps succeeded or skipped, of the steps in the plan.
export function stepsDone(state: RunState): { done: number; total: number } {
  let done = 0;
  for (const id of state.order) {
    const status = state.steps[id].status;
    if (status === 'succeeded' || status === 'skipped') done++;
  }
  return { done, total: state.order.length };
}
