import type { EngineHandle, EngineView } from '../engine/engine-api.js';
import { formatCount } from '../format/format-count.js';
import type { Notice } from './current-notice.js';
import { currentBatchSize, nextBatchSize } from './next-batch-size.js';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// p, + and - on the selected running backfill: pause or resume it, or change its batch size. A
// detached engine answers over its socket: a refusal (a watcher's) shows as the notice.
export function steerBackfill(
  engine: EngineHandle,
  view: EngineView,
  selectedStep: string | undefined,
  input: string,
  say: (notice: Notice) => void,
): void {
  const step = selectedStep ? view.run.steps[selectedStep] : undefined;
  if (step?.kind !== 'backfill' || view.live.active?.step !== step.id) {
    return say({ level: 'warn', text: 'p, + and - steer a running backfill: select it while it runs' });
  }
  const steer = (control: { paused?: boolean; batchSize?: number }) =>
    Promise.resolve(engine.backfillControl(step.id, control)).catch((error: unknown) =>
      say({ level: 'error', text: message(error) }),
    );
  const live = view.live.backfill[step.id];
  if (input === 'p') {
    void steer({ paused: !live?.paused });
    return say({
      level: 'info',
      text: live?.paused ? 'backfill resumed' : 'backfill pauses after the current batch',
      step: step.id,
    });
  }
  const batchSize = nextBatchSize(currentBatchSize(view, step.id), input === '-' || input === '_' ? 'down' : 'up');
  void steer({ batchSize });
  say({ level: 'info', text: `batch size ${formatCount(batchSize)} rows from the next batch`, step: step.id });
}
