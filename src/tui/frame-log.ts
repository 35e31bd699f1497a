import { appendFileSync } from 'node:fs';

// STEPWISE_FRAME_LOG=<file>, for the benchmarks only: every frame the TUI draws appends a line
// "<seq> <epoch ms>", the last journal event the frame shows and when it was drawn, so the time
// from the engine's append to the screen can be measured. Unset, Ink gets no callback at all.
export function frameLog(path: string | undefined, shownSeq: () => number): (() => void) | undefined {
  if (!path) return undefined;
  return () => appendFileSync(path, `${shownSeq()} ${Date.now()}\n`);
}
