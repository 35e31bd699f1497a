import { StepwiseError } from '../errors/stepwise-error.js';
import { durationMs, maxDurationMs } from './duration-ms.js';

// `30s`, `10m`, `1.5h`, `500ms` (the schema's duration format) to milliseconds.
export function parseDuration(text: string): number {
  const value = durationMs(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new StepwiseError(`"${text}" is not a duration; write it as 500ms, 30s, 10m or 1h`);
  }
  if (value > maxDurationMs) throw new StepwiseError(`"${text}" is longer than a year (365d), the longest duration stepwise takes`);
  return value;
}
