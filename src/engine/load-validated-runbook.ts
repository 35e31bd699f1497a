import { validatedRunbooksDir } from '../journal/state-dir.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { ValidatedRunbookCache } from '../runbook/validated-runbook-cache.js';

// A runbook as the engine opens it for a run, a resume or a recheck: one unchanged since it last
// passed (by `plan` or an earlier engine of this state directory) is not validated again.
export function loadValidatedRunbook(path: string, stateDir: string): Promise<LoadedRunbook> {
  return loadRunbook(path, { validated: new ValidatedRunbookCache(validatedRunbooksDir(stateDir)) });
}
