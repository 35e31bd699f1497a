import { describe, expect, it } from 'vitest';
import { BatchSizer } from '../../src/engine/backfill/batch-sizer.js';
import { LockBackoff } from '../../src/engine/backfill/lock-backoff.js';

describe('batch size', () => {
  it('moves toward the target duration from the observed rate', () => {
    const sizer = new BatchSizer(1000, 500);
    expect(sizer.next()).toBe(1000);
    sizer.observe(1000, 10); // 100,000 rows/s: 500 ms is 50,000 rows
    expect(sizer.next()).toBe(50_000);
    sizer.observe(50_000, 1000); // slower now, and for a hundred times as long: that counts most
    expect(sizer.next()).toBe(25_174);
    sizer.observe(25_000, 500); // steady: the size stays
    expect(sizer.next()).toBe(25_102);
  });

  it('grows from a small first batch to the target in one step', () => {
    const sizer = new BatchSizer(1000, 500);
    sizer.observe(1000, 4); // round trips are most of a small batch's time
    sizer.observe(125_000, 250); // 500,000 rows/s
    expect(sizer.next()).toBe(248_616);
  });

  it('stays between 10 and 1,000,000 rows', () => {
    const fast = new BatchSizer(1000, 500);
    fast.observe(10_000_000, 1000);
    expect(fast.next()).toBe(1_000_000);
    const slow = new BatchSizer(5, 500);
    expect(slow.next()).toBe(10);
    slow.observe(10, 60_000);
    expect(slow.next()).toBe(10);
  });

  it('takes the operator’s size when one is set, and shrinks after a statement timeout', () => {
    const sizer = new BatchSizer(4000, 500);
    expect(sizer.next(250)).toBe(250);
    sizer.shrink();
    expect(sizer.next()).toBe(1000);
  });
});

describe('lock timeout backoff', () => {
  it('waits 1 s, 2 s, 4 s … up to 60 s, and starts over after a batch gets through', () => {
    const backoff = new LockBackoff();
    expect(Array.from({ length: 8 }, () => backoff.nextDelayMs())).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(1000);
  });
});
