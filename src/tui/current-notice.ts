import type { EngineView } from '../engine/engine-api.js';

// A line for the operator above the key bar: the answer to a key, or the engine's message.
export interface Notice {
  level: 'info' | 'warn' | 'error';
  text: string;
  // The running step it is about ("batch size 2,500 rows from the next batch", "2.3 is running:
  // wait for it"): it says nothing once that step has ended.
  step?: string;
}

// The notice to show, the first of `candidates` that still holds: one about a step only while
// that step runs. Any notice goes at the next key (the screen clears its own).
export function currentNotice(view: EngineView, ...candidates: Array<Notice | undefined>): Notice | undefined {
  return candidates.find(
    (notice) => notice !== undefined && (notice.step === undefined || view.live.active?.step === notice.step),
  );
}
