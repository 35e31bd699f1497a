import { describe, expect, it } from 'vitest';
import { assembleLog } from '../../src/store/log-copy.js';

// A stored log is its chunks by offset: a range written twice counts once, a missing range ends it.
describe('a step log read back from its chunks', () => {
  const chunk = (start: number, text: string) => ({ start, data: Buffer.from(text) });

  it('takes a range two chunks hold once, and is whole when it reaches the size its step closed at', () => {
    const log = assembleLog([chunk(0, 'abc'), chunk(3, 'def'), chunk(3, 'defgh'), chunk(6, 'gh')], 8);
    expect(log.data.toString()).toBe('abcdefgh');
    expect(log.whole).toBe(true);
  });

  it('ends at a missing range, and is not whole short of its size or without one', () => {
    const gap = assembleLog([chunk(0, 'abc'), chunk(5, 'fg')], 7);
    expect(gap).toMatchObject({ whole: false, gapAt: 3 });
    expect(gap.data.toString()).toBe('abc');
    expect(assembleLog([chunk(0, 'abc')], 7).whole).toBe(false);
    expect(assembleLog([chunk(0, 'abc')]).whole).toBe(false);
  });
});
