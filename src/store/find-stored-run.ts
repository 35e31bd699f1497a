import { StepwiseError } from '../errors/stepwise-error.js';
import type { RunRow, RunStore } from './run-store.js';

// The run a command means in a state database: its id, or a runbook's name (its latest run), or
// without one the latest run of all.
export async function findStoredRun(store: RunStore, ref: string | undefined, where: string): Promise<RunRow> {
  const runs = await store.listRuns();
  const latest = (list: RunRow[]) => [...list].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.runId.localeCompare(b.runId)).at(-1);
  const found =
    ref === undefined
      ? latest(runs)
      : (runs.find((r) => r.runId === ref) ?? latest(runs.filter((r) => r.runbook === ref || r.runbook === runbookName(ref))));
  if (found) return found;
  throw new StepwiseError(ref === undefined ? `no runs in ${where}` : `no run ${ref} in ${where}`, 'usage');
}

// A runbook path's name as runs record it: its file name without the extension.
function runbookName(ref: string): string {
  return ref.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
}
