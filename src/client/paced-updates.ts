import { type Clock, systemClock } from '../engine/time/clock.js';

export interface PacedUpdates<T> {
  push(patch: Partial<T>): void;
  // Gives what is held to the store now (before an intent's answer is returned).
  flush(): void;
}

// What the engine sends, given to a screen's store at most once every `paceMs` (the screen's
// frame interval): a burst of events and live states (a phase of quick steps, a busy backfill)
// becomes one update and one render instead of one each, which kept a loaded screen behind by
// hundreds of milliseconds. The first update after a quiet spell goes at once; the lines of one
// socket read go together.
export function pacedUpdates<T>(apply: (patch: Partial<T>) => void, paceMs: number, clock: Clock = systemClock): PacedUpdates<T> {
  let pending: Partial<T> | undefined;
  let scheduled = false;
  let last = Number.NEGATIVE_INFINITY;
  const flush = () => {
    if (!pending) return;
    const patch = pending;
    pending = undefined;
    last = clock.now();
    apply(patch);
  };
  return {
    push(patch) {
      pending = { ...pending, ...patch };
      if (scheduled) return;
      scheduled = true;
      const wait = last + paceMs - clock.now();
      const due = wait > 0 ? clock.sleep(wait, new AbortController().signal) : Promise.resolve();
      void due.then(() => {
        scheduled = false;
        flush();
      });
    },
    flush,
  };
}
