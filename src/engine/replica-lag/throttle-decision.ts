import { type LagReading, seconds } from './read-replica-lag.js';

export interface LagLimits {
  // Above this the copy pauses.
  maxMs: number;
  // Once paused, the copy goes on only below this (hysteresis: no flapping around the maximum).
  resumeMs: number;
}

export interface ThrottleDecision {
  throttled: boolean;
  // For the screen and the journal: "replica lag 4.2 s > 2 s".
  reason: string;
}

// Pure: whether to hold the next batch, given whether it is held now and a fresh reading. A lag
// that cannot be read, or is stale, counts as too high.
export function decideThrottle(throttled: boolean, reading: LagReading, limits: LagLimits): ThrottleDecision {
  if (!reading.known) return { throttled: true, reason: `replica lag unknown: ${reading.why}` };
  const lag = `replica lag ${seconds(reading.lagMs)}`;
  if (!throttled) {
    return reading.lagMs > limits.maxMs
      ? { throttled: true, reason: `${lag} > ${seconds(limits.maxMs)}` }
      : { throttled: false, reason: `${lag} ≤ ${seconds(limits.maxMs)}` };
  }
  return reading.lagMs < limits.resumeMs
    ? { throttled: false, reason: `${lag} < ${seconds(limits.resumeMs)}` }
    : { throttled: true, reason: `${lag}, goes on below ${seconds(limits.resumeMs)}` };
}
