import type { RunState } from './reducer.js';

export interface RollbackWindow {
  closesAt: number;
  // What it counts from: the point-of-no-return step, or the run's end.
  from: { step: string } | { end: true };
}

// A rollback is allowed for `rollback_within` after the run's first point of no return passed,
// or after the run's end when it has none. Undefined while it has not started counting.
export function rollbackWindow(state: RunState): RollbackWindow | undefined {
  const within = state.started.window?.rollback_within_ms;
  if (within === undefined) return undefined;
  const passed = state.order
    .map((id) => state.steps[id])
    .filter((s) => s.pointOfNoReturn && s.status === 'succeeded' && s.endedAt)
    .sort((a, b) => Date.parse(a.endedAt!) - Date.parse(b.endedAt!))[0];
  if (passed) return { closesAt: Date.parse(passed.endedAt!) + within, from: { step: passed.id } };
  if (state.status === 'succeeded' && state.finishedAt)
    return { closesAt: Date.parse(state.finishedAt) + within, from: { end: true } };
  return undefined;
}
