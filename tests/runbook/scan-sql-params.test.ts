import fc from 'fast-check';
import { loadModule, type ScanToken, scanSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { findSqlParams } from '../../src/runbook/sql-placeholders.js';
import { sqlKeywords } from '../../src/runbook/sql-keywords.js';
import { type SqlParam, SqlParamScanner } from '../../src/runbook/scan-sql-params.js';
import { byteOffsetToIndex } from '../../src/runbook/utf8-offsets.js';

beforeAll(() => loadModule());

// `:name` parameters as PostgreSQL's own scanner (libpg-query) sees them: a ':' token with a
// name token right after it, unless the ':' slices an array (right after a plain identifier, a
// number, `]` or `)`). Undefined when the scanner refuses the text (the parser reports it then).
function paramsByPostgres(sql: string): SqlParam[] | undefined {
  let tokens: ScanToken[];
  try {
    tokens = scanSync(sql).tokens;
  } catch {
    return undefined;
  }
  const toIndex = byteOffsetToIndex(sql);
  const params: SqlParam[] = [];
  for (let i = 0; i < tokens.length - 1; i++) {
    const [previous, colon, next] = [tokens[i - 1], tokens[i], tokens[i + 1]];
    if (colon.text !== ':' || next.start !== colon.end || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(next.text)) continue;
    const slice =
      previous?.end === colon.start &&
      (['IDENT', 'ICONST', 'FCONST'].includes(previous.tokenName) || [']', ')'].includes(previous.text));
    if (!slice) params.push({ name: next.text, start: toIndex(colon.start), end: toIndex(next.end) });
  }
  return params;
}

const scan = (sql: string) => new SqlParamScanner(sql).scan().map((p) => p.name);

describe('finding :name parameters without loading the parser', () => {
  it('finds parameters in SQL, not in strings, comments, quoted names, dollar bodies, casts or slices', () => {
    const sql = `UPDATE t SET a = :a, note = 'at :b' || E'it\\'s :c' -- :d
      /* :e /* nested :f */ still :g */ WHERE "x:h" = $$ :i $$ AND $q$ :j $q$ = :k::text
      AND arr[1:2] = arr[lo:hi] AND arr[(lo):hi] = (:l) AND id = ANY(:m)`;
    expect(scan(sql)).toEqual(['a', 'k', 'l', 'm']);
    expect(scan('SELECT x FROM t LIMIT:n OFFSET :o')).toEqual(['n', 'o']);
  });

  it('gives the indices of :name in the text, templates standing for quoted names', () => {
    expect(findSqlParams("SELECT 'é' FROM {{ ident vars.s }}.t WHERE k > :lo")).toEqual([
      { name: 'lo', start: 47, end: 50 },
    ]);
  });

  it('knows the words PostgreSQL keeps for itself: after a keyword a colon is a parameter', () => {
    for (const word of sqlKeywords) {
      const [token] = scanSync(word).tokens;
      expect({ word, kind: token.keywordKind }).not.toEqual({ word, kind: 0 });
    }
    for (const word of ['tenant', 'lo', 'hi', 'batch_size', 'items']) expect(scanSync(word).tokens[0].tokenName).toBe('IDENT');
  });

  it('agrees with PostgreSQL’s own scanner on any text made of SQL’s tricky pieces', () => {
    // Whole constructs and names around colons mostly, loose quotes and comment marks now and then.
    const whole = [
      ':', ':lo', ':tenant', ':x1', ':select', ':N', '::', ':=', ' ', '\n', 'a', 'lo', 'tenant', 'x1', 'a$b', 'é', 'e', 'E', 'u', 'U', 'b', 'x', 'n', 'N',
      'select', 'limit', 'int', 'value', 'then', '1', '1.5', '.5', '1e3', '0x1F', '$1', "'s :a'", "''", "E'\\' :b'",
      '"q :c"', '""', 'U&"d :e"', "u&'f'", "B'01'", "X'1F'", "N'g'", '&', '$$ :h $$', '$t$ :i $$ $t$', '$',
      '/* :j /* :k */ */', '-- :l\n', '[', ']', '(', ')', '.', '..', ',', ';', '=', '-', '+', '*', '/', '#', '{{ vars.m }}',
    ];
    const loose = ["'", '"', "E'", '\\', '$$', '$t$', '--', '/*', '*/'];
    const piece = fc.tuple(
      fc.oneof({ arbitrary: fc.constantFrom(...whole), weight: 30 }, { arbitrary: fc.constantFrom(...loose), weight: 1 }),
      fc.constantFrom('', '', ' '),
    ).map(([p, gap]) => p + gap);
    let compared = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const sql = parts.join('');
        const expected = paramsByPostgres(sql);
        if (expected === undefined) return;
        compared += expected.length > 0 ? 1 : 0;
        expect(new SqlParamScanner(sql).scan()).toEqual(expected);
      }),
      { numRuns: 20_000 },
    );
    // The comparison is worth something only if many texts hold parameters.
    expect(compared).toBeGreaterThan(1_000);
  });
});
