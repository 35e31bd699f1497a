import ms from 'ms';

// The longest duration a runbook may give: a year. Timers longer than Node's 24.8 days are
// chained (engine/time/long-sleep.ts); beyond a year a date would only be a typing mistake.
export const maxDurationMs = 365 * 24 * 60 * 60 * 1000;

// How a runbook writes a duration (the schema's pattern): a number and one of ms, s, m, h, d.
export const durationPattern = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/;

// At most a year; text that is no duration passes (the pattern refuses it, with its own message).
export function withinMaxDuration(text: string): boolean {
  return !(durationMs(text) > maxDurationMs);
}

// Whether a text is a duration a runbook may give (the schema's rule, for a flag without it).
export function isDuration(text: string): boolean {
  return durationPattern.test(text) && withinMaxDuration(text);
}

// `30s`, `10m`, `1.5h`, `500ms`, `7d` to milliseconds; NaN when it is none of those.
export function durationMs(text: string): number {
  // ms throws on an empty or very long string, and gives undefined for anything else it cannot read.
  if (typeof text !== 'string' || text.length === 0 || text.length > 100) return Number.NaN;
  const value = ms(text as ms.StringValue);
  return typeof value === 'number' ? value : Number.NaN;
}
