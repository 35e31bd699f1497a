import type { StepState } from '../journal/reducer.js';
import type { IndexedStep } from './step-index.js';
import { readOnlyKinds } from './step-rules.js';

// How an interrupted step may run again. A step that changes nothing (check, wait, compare) is
// simply run again. A backfill's batches commit with their checkpoint, so it is never in doubt as
// a whole: it continues after its last committed batch. An idempotent step, or one whose probe
// found it had not taken effect, runs again when the operator said --yes. Any other step may have
// partly run: the operator decides.
export function interruptedRetry(
  entry: Pick<IndexedStep, 'kind' | 'step'>,
  state: StepState,
): 'always' | 'with-yes' | 'ask' {
  if (readOnlyKinds.has(entry.kind)) return 'always';
  if (entry.kind === 'backfill' || entry.step.idempotent === true || state.probe?.applied === false)
    return 'with-yes';
  return 'ask';
}

// Where an interrupted backfill continues, as the resume summary says it.
export function backfillResumePoint(state: StepState): string | undefined {
  const { count, rows, lastHi } = state.batches;
  if (count === 0) return undefined;
  const key = Array.isArray(lastHi) ? `(${lastHi.join(', ')})` : String(lastHi);
  return `after key ${key}, ${rows.toLocaleString('en-US')} rows done`;
}
