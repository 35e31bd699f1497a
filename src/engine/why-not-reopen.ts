import type { RunState } from '../journal/reducer.js';

// Why a finished run cannot be resumed or rolled back, or undefined. A finished run may still be
// rolled back; one already rolled back all the way has nothing left to undo (a rollback --to left
// it open, and it may be rolled back further).
export function whyNotReopen(state: RunState, purpose: 'resume' | 'rollback'): string | undefined {
  if (state.status === 'rolled_back') {
    const by = state.rollback ? ` by ${state.rollback.operator} (started ${state.rollback.startedAt})` : '';
    return `run ${state.runId} has already been rolled back${by}; nothing is left to undo. Start a new run with \`stepwise run\``;
  }
  if (purpose === 'resume' && state.status === 'succeeded')
    return `run ${state.runId} has already finished; start a new run with \`stepwise run\``;
  return undefined;
}
