import { describe, expect, it } from 'vitest';
import { formatMinutes } from '../../src/format/format-time.js';
import { untilWindowChange, type WindowUsage } from '../../src/tui/window-usage.js';

const minute = 60_000;
const started = Date.parse('2026-11-23T02:00:00Z');
const usage = (elapsedMs: number, budgetMs?: number): WindowUsage => ({
  label: 'window',
  fromMs: started,
  elapsedMs,
  budgetMs,
  level: 'ok',
});

// A screen at rest is redrawn when its text changes: the window timer counts minutes, so it
// asks for the next minute, or for the moment it turns amber (80 %) or red (100 %).
describe('the window timer', () => {
  it('reads in minutes, then hours and minutes, then days', () => {
    expect(formatMinutes(59_999)).toBe('0 min');
    expect(formatMinutes(14 * minute + 59_000)).toBe('14 min');
    expect(formatMinutes(65 * minute)).toBe('1h 05m');
    expect(formatMinutes((2 * 24 * 60 + 3 * 60 + 5) * minute)).toBe('2d 3h 05m');
  });

  it('changes at the next minute of the window, not of the wall clock', () => {
    expect(untilWindowChange(usage(2 * minute + 15_000), started + 2 * minute + 15_000)).toBe(45_000);
    expect(untilWindowChange(usage(3 * minute), started + 3 * minute)).toBe(minute);
  });

  it('changes when it turns amber or red, even between two minutes', () => {
    const budget = 7 * minute; // amber from 5:36, red after 7:00
    expect(untilWindowChange(usage(5 * minute + 30_000, budget), started + 5 * minute + 30_000)).toBe(6001);
    expect(untilWindowChange(usage(7 * minute, budget), started + 7 * minute)).toBe(1);
  });

  it('stops once the run or the rollback has finished', () => {
    expect(untilWindowChange({ ...usage(5 * minute), fromMs: undefined }, Date.now())).toBeUndefined();
  });
});
