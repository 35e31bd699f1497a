import ms from 'ms';
import { StepwiseError } from '../errors/stepwise-error.js';

// `30s`, `10m`, `1.5h`, `500ms` (the schema's duration format) to milliseconds.
export function parseDuration(text: string): number {
  const value = ms(text as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new StepwiseError(`"${text}" is not a duration; write it as 500ms, 30s, 10m or 1h`);
  }
  return value;
}
