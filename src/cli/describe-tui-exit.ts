import type { RunState } from '../journal/reducer.js';
import { stepsDone } from '../journal/run-questions.js';
import type { TuiResult } from '../tui/tui-result.js';

// The one line left on the terminal when the TUI closes: the run, where it stands, and the
// command that goes on from there.
export function describeTuiExit(run: RunState, exit: TuiResult['exit']): string {
  const id = run.runId;
  const { done, total } = stepsDone(run);
  const progress = `${done}/${total} steps done`;
  if (exit === 'detached') {
    return `run ${id} goes on in its engine (${progress}): stepwise attach ${id} · stepwise watch ${id}`;
  }
  switch (run.status) {
    case 'succeeded':
      return `run ${id} succeeded (${progress}): stepwise report ${id}`;
    case 'rolled_back':
      return `run ${id} rolled back: stepwise report ${id}`;
    case 'failed':
      return `run ${id} failed (${progress}): stepwise resume ${id} · stepwise rollback ${id}`;
    case 'paused':
      return `run ${id} paused (${progress}): stepwise resume ${id} · stepwise rollback ${id}`;
    default:
      return `run ${id} is open in its engine (${progress}): stepwise attach ${id}`;
  }
}
