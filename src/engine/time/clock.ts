import { longSleep } from './long-sleep.js';

// Time as the engine sees it: injected, so tests move it instead of waiting for it.
export interface Clock {
  now(): number;
  // Resolves after `ms` of this clock's time, or when `signal` aborts (never rejects).
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => longSleep(ms, signal),
};
