import { describe, expect, it } from 'vitest';
import { describeActual, describeExpected, evaluateExpect } from '../../src/engine/evaluate-expect.js';

describe('comparing a check result with expect, as an operator reads it', () => {
  it('takes count(*) as text "0" to equal 0, and says "n = 3, expected 0" when it does not', () => {
    expect(evaluateExpect({ n: 0 }, [{ n: '0' }])).toEqual({
      ok: true,
      expected: { n: 0 },
      actual: { n: '0' },
      failures: [],
    });
    expect(evaluateExpect({ n: 0 }, [{ n: '3' }])).toMatchObject({
      ok: false,
      failures: ['n = 3, expected 0'],
    });
  });

  it('coerces numbers, numeric text, booleans and NULL the way they read', () => {
    const row = {
      price: '1.50',
      big: '9007199254740993',
      ok: 't',
      off: false,
      name: 'queue',
      missing: null,
      n: 7,
    };
    const outcome = evaluateExpect(
      { price: 1.5, big: '9007199254740993', ok: true, off: 'false', name: 'queue', missing: null, n: '7' },
      [row],
    );
    expect(outcome.failures).toEqual([]);
    expect(evaluateExpect({ big: 9007199254740992 }, [row]).ok).toBe(false);
    expect(evaluateExpect({ ok: false }, [row]).failures).toEqual(["ok = 't', expected false"]);
    expect(evaluateExpect({ missing: 0 }, [row]).failures).toEqual(['missing = null, expected 0']);
    expect(evaluateExpect({ name: 'Queue' }, [row]).failures).toEqual(["name = 'queue', expected 'Queue'"]);
  });

  it('applies comparisons, all of them', () => {
    const rows = [{ lag: '12', since: '2026-11-23 02:00:00+00', status: 'running' }];
    expect(evaluateExpect({ lag: { lt: 30, gte: 0 } }, rows).ok).toBe(true);
    expect(evaluateExpect({ lag: { lte: 10 } }, rows).failures).toEqual(['lag = 12, expected <= 10']);
    expect(evaluateExpect({ lag: { gt: 20, lt: 5 } }, rows).failures).toEqual([
      'lag = 12, expected > 20 and < 5',
    ]);
    expect(evaluateExpect({ status: { ne: 'failed' } }, rows).ok).toBe(true);
    expect(evaluateExpect({ status: { ne: 'running' } }, rows).failures).toEqual([
      "status = 'running', expected != 'running'",
    ]);
    expect(evaluateExpect({ since: { gt: '2026-11-23 01:00' } }, rows).ok).toBe(true);
  });

  it('compares the number of rows under the key rows', () => {
    expect(evaluateExpect({ rows: 0 }, []).ok).toBe(true);
    expect(evaluateExpect({ rows: { gte: 1 } }, [{ a: 1 }, { a: 2 }])).toMatchObject({
      ok: true,
      actual: { rows: 2 },
    });
    expect(evaluateExpect({ rows: 0 }, [{ id: 4 }]).failures).toEqual(['rows = 1, expected 0']);
  });

  it('explains a missing row or column instead of comparing with nothing', () => {
    expect(evaluateExpect({ n: 0 }, []).failures).toEqual(['n: the query returned no rows, expected n = 0']);
    expect(evaluateExpect({ count: 0 }, [{ n: '0' }]).failures).toEqual([
      'count is not a column of the result (columns: n)',
    ]);
  });

  it('keeps actual values JSON-safe for the journal', () => {
    const outcome = evaluateExpect({ a: '1', d: '2026-01-01T00:00:00.000Z', b: '\\x0102' }, [
      { a: 1n, d: new Date('2026-01-01T00:00:00Z'), b: Uint8Array.from([1, 2]) },
    ]);
    expect(outcome).toMatchObject({
      ok: true,
      actual: { a: '1', d: '2026-01-01T00:00:00.000Z', b: '\\x0102' },
    });
    expect(() => JSON.stringify(outcome)).not.toThrow();
  });

  it('describes expected and actual values for progress lines', () => {
    expect(describeExpected({ n: 0, lag: { lt: 10 }, exit: [0, 3] })).toBe('n = 0, lag < 10, exit = 0 or 3');
    expect(describeActual({ n: '2', status: 'running', done: false })).toBe(
      "n = 2, status = 'running', done = false",
    );
  });
});
