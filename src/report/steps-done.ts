import { type RunState, stepDone } from '../journal/reducer.js';

// Progress as an operator counts it: steps done (succeeded or skipped, and not undone or passed
// over by a rollback since), of the steps in the plan.
export function stepsDone(state: RunState): { done: number; total: number } {
  let done = 0;
  for (const id of state.order) if (stepDone(state.steps[id])) done++;
  return { done, total: state.order.length };
}
