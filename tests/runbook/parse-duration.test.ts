import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/runbook/parse-duration.js';

describe('durations', () => {
  it('reads the runbook forms', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
  });

  it('tells how to write one', () => {
    expect(() => parseDuration('soon')).toThrow(
      '"soon" is not a duration; write it as 500ms, 30s, 10m or 1h',
    );
  });
});
