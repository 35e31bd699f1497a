import { setTimeout as sleep } from 'node:timers/promises';

// Node fires a timer of more than 2^31-1 ms (24.8 days) after 1 ms; a runbook's durations may be
// longer (a 600h timeout, a 30d soak), so long waits are chained in pieces Node honours.
const maxTimerMs = 2_147_483_647;

// Resolves after `ms`, or as soon as `signal` aborts (never rejects).
export async function longSleep(ms: number, signal?: AbortSignal): Promise<void> {
  for (let left = ms; left > 0 && !signal?.aborted; left -= maxTimerMs) {
    await sleep(Math.min(left, maxTimerMs), undefined, { signal }).catch(() => undefined);
  }
}

// Calls `fire` after `ms` unless cancelled first; returns the cancel.
export function longTimeout(fire: () => void, ms: number): () => void {
  const cancelled = new AbortController();
  void longSleep(ms, cancelled.signal).then(() => {
    if (!cancelled.signal.aborted) fire();
  });
  return () => cancelled.abort();
}
