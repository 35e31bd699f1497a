import type { Queryable } from '../../db/connection.js';
import type { KeyValue } from '../backfill/keyset-sql.js';
import type { CompareColumn, SideSource } from './describe-side.js';
import { normalisedSession, rowText } from './normalise-value.js';

// A key range (lo, hi]; a missing end is unbounded.
export interface KeyRange {
  lo?: KeyValue;
  hi?: KeyValue;
}

// Count and sum of a 64-bit hash of each row: order independent, and equal rows do not cancel
// out as they would with XOR. hashtextextended is the hash partitioning uses, stable across
// PostgreSQL versions; a chunk whose sums differ is confirmed row by row with md5.
export interface Fingerprint {
  n: number;
  s: string;
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.n === b.n && a.s === b.s;
}

function tuple(parts: string[]): string {
  return parts.length === 1 ? parts[0] : `(${parts.join(', ')})`;
}

const keyCols = (key: CompareColumn[]) => tuple(key.map((c) => `b.${c.sql}`));
const keyOrder = (key: CompareColumn[]) => key.map((c) => `b.${c.sql}`).join(', ');
const keyText = (key: CompareColumn[]) => key.map((c, i) => `b.${c.sql}::text AS k${i}`).join(', ');

// The range as a WHERE clause over alias b, its parameters numbered after the side's own.
function rangeWhere(side: SideSource, range: KeyRange): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params = [...side.params];
  const bound = (value: KeyValue) => {
    const start = params.length + 1;
    params.push(...value);
    return tuple(side.key.map((c, i) => `$${start + i}::${c.type}`));
  };
  if (range.lo) parts.push(`${keyCols(side.key)} > ${bound(range.lo)}`);
  if (range.hi) parts.push(`${keyCols(side.key)} <= ${bound(range.hi)}`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

function readKey(row: Record<string, unknown>, width: number): KeyValue {
  return Array.from({ length: width }, (_, i) => String(row[`k${i}`]));
}

// Each read is one short REPEATABLE READ READ ONLY transaction with normalised output settings.
async function inSnapshot<T>(side: SideSource, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return side.conn.transaction(
    async (tx) => {
      await tx.query(normalisedSession);
      return fn(tx);
    },
    { isolation: 'repeatable read', readOnly: true },
  );
}

const sums = 'count(*)::int AS n, coalesce(sum(h), 0)::text AS s';

export async function fingerprint(side: SideSource, range: KeyRange): Promise<Fingerprint> {
  const where = rangeWhere(side, range);
  const text = `SELECT ${sums} FROM (SELECT ${side.rowHash} AS h FROM (${side.base}) b ${where.sql}) f`;
  const row = await inSnapshot(side, async (tx) => (await tx.query<Fingerprint>(text, where.params)).rows[0]);
  return { n: Number(row.n), s: String(row.s) };
}

// The key ranges of one pass: (lo, bounds[0]], (bounds[0], bounds[1]], …, and after the last
// bound up to `hi`, or without end when `hi` is missing.
export interface Pass {
  lo?: KeyValue;
  bounds: KeyValue[];
  hi?: KeyValue;
}

// Up to `chunks` chunk ends of `size` rows each after `lo`, in one read of the keys. A chunk whose
// last key is the side's last row is open-ended, so that keys beyond it on the other side count:
// each end is read with the row after it, and only an end that has one bounds its chunk.
export async function planPass(
  side: SideSource,
  lo: KeyValue | undefined,
  size: number,
  chunks: number,
): Promise<Pass> {
  const where = rangeWhere(side, { lo });
  const raw = side.key.map((c, i) => `b.${c.sql} AS c${i}`).join(', ');
  const asText = side.key.map((_, i) => `r.c${i}::text AS k${i}`).join(', ');
  const text = `SELECT ${asText}, r.rn FROM (SELECT s.*, row_number() OVER () AS rn
      FROM (SELECT ${raw} FROM (${side.base}) b ${where.sql} ORDER BY ${keyOrder(side.key)} LIMIT ${size * chunks + 1}) s) r
    WHERE r.rn % ${size} IN (0, 1) ORDER BY r.rn`;
  const { rows } = await side.conn.query(text, where.params);
  const at = new Map(rows.map((r) => [Number(r.rn), r]));
  const ends: KeyValue[] = [];
  for (let n = size; n <= size * chunks && at.has(n + 1); n += size) {
    ends.push(readKey(at.get(n) as Record<string, unknown>, side.key.length));
  }
  return ends.length === chunks ? { lo, bounds: ends.slice(0, -1), hi: ends.at(-1) } : { lo, bounds: ends };
}

export function chunkRanges(pass: Pass): KeyRange[] {
  const ends = [...pass.bounds, pass.hi];
  return ends.map((hi, i) => ({ lo: i === 0 ? pass.lo : pass.bounds[i - 1], hi }));
}

// One value of the side's key, and the bounds as an array of it built from JSON (one bound
// parameter for any key width): width_bucket then places every row in its chunk in one scan.
function boundsArray(side: SideSource, param: number): string {
  const cols = side.key.map((c, i) => `(e.v->>${i})::${c.type}`);
  return `(SELECT array_agg(${side.key.length === 1 ? cols[0] : `ROW(${cols.join(', ')})`} ORDER BY e.o)
    FROM jsonb_array_elements($${param}::jsonb) WITH ORDINALITY AS e(v, o))`;
}

// Fingerprints of every chunk of a pass, computed by the server in one pass over the range:
// width_bucket counts the bounds at or below a key, and a key equal to a bound belongs below it.
// OFFSET 0 keeps the planner from computing the bucket again in the grouping, and lets it
// estimate few groups, so it hashes them instead of sorting the range.
export async function passFingerprints(side: SideSource, pass: Pass): Promise<Fingerprint[]> {
  if (pass.bounds.length === 0) return [await fingerprint(side, pass)];
  const where = rangeWhere(side, { lo: pass.lo, hi: pass.hi });
  const param = where.params.length + 1;
  const key = side.key.length === 1 ? `b.${side.key[0].sql}` : `ROW(${keyOrder(side.key)})`;
  const text = `WITH bounds AS MATERIALIZED (SELECT ${boundsArray(side, param)} AS a)
    SELECT c.w - (c.w > 0 AND (SELECT a FROM bounds)[c.w] = c.k)::int AS chunk, ${sums}
      FROM (SELECT width_bucket(${key}, (SELECT a FROM bounds)) AS w, ${key} AS k, ${side.rowHash} AS h
              FROM (${side.base}) b ${where.sql} OFFSET 0) c
     GROUP BY 1`;
  const params = [...where.params, JSON.stringify(pass.bounds)];
  const { rows } = await inSnapshot(side, (tx) => tx.query<Fingerprint & { chunk: number }>(text, params));
  const prints: Fingerprint[] = Array.from({ length: pass.bounds.length + 1 }, () => ({ n: 0, s: '0' }));
  for (const r of rows) prints[Number(r.chunk)] = { n: Number(r.n), s: String(r.s) };
  return prints;
}

export interface RowHash {
  key: KeyValue;
  h: string;
}

export async function rowHashes(side: SideSource, range: KeyRange): Promise<RowHash[]> {
  const where = rangeWhere(side, range);
  const text = `SELECT ${keyText(side.key)}, md5(${rowText(side.columns, 'b')}) AS h
    FROM (${side.base}) b ${where.sql} ORDER BY ${keyOrder(side.key)}`;
  const { rows } = await inSnapshot(side, (tx) => tx.query(text, where.params));
  return rows.map((r) => ({ key: readKey(r, side.key.length), h: String(r.h) }));
}

// The key `offset` rows into the range (1-based), in key order, and whether any row follows it:
// chunk boundaries and bisection points. Undefined when the range holds fewer rows.
export async function keyAt(
  side: SideSource,
  range: KeyRange,
  offset: number,
): Promise<{ key: KeyValue; more: boolean } | undefined> {
  const where = rangeWhere(side, range);
  const text = `SELECT ${keyText(side.key)} FROM (${side.base}) b ${where.sql}
    ORDER BY ${keyOrder(side.key)} LIMIT 2 OFFSET ${Math.max(0, Math.floor(offset) - 1)}`;
  const { rows } = await side.conn.query(text, where.params);
  return rows[0] ? { key: readKey(rows[0], side.key.length), more: rows.length > 1 } : undefined;
}

// The planner's estimate of the side's rows, for the progress shown while the passes run (a count
// would read the whole side once more).
export async function estimateRows(side: SideSource): Promise<number> {
  const { rows } = await side.conn.query<{ 'QUERY PLAN': unknown }>(
    `EXPLAIN (FORMAT JSON) SELECT * FROM (${side.base}) b`,
    side.params,
  );
  const plan = rows[0]['QUERY PLAN'];
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as Array<{ Plan: { 'Plan Rows': number } }>;
  return Math.round(parsed[0].Plan['Plan Rows']);
}
