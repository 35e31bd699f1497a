import type { Queryable } from '../../db/connection.js';
import type { KeyValue } from '../backfill/keyset-sql.js';
import type { CompareColumn, SideSource } from './describe-side.js';
import { normalisedSession, rowText } from './normalise-value.js';

// A key range (lo, hi]; a missing end is unbounded.
export interface KeyRange {
  lo?: KeyValue;
  hi?: KeyValue;
}

// Count and two sums of 64-bit slices of each row's md5: order independent, and equal rows do
// not cancel out as they would with XOR.
export interface Fingerprint {
  n: number;
  s1: string;
  s2: string;
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.n === b.n && a.s1 === b.s1 && a.s2 === b.s2;
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

export async function fingerprint(side: SideSource, range: KeyRange): Promise<Fingerprint> {
  const where = rangeWhere(side, range);
  // The md5 is parsed once into 128 bits; OFFSET 0 keeps the planner from inlining it into each sum.
  const slice = (from: number) => `coalesce(sum(substring(x FROM ${from} FOR 64)::bigint), 0)::text`;
  const text = `SELECT count(*)::int AS n, ${slice(1)} AS s1, ${slice(65)} AS s2
    FROM (SELECT ('x' || md5(${rowText(side.columns, 'b')}))::bit(128) AS x
            FROM (${side.base}) b ${where.sql} OFFSET 0) f`;
  const row = await inSnapshot(side, async (tx) => (await tx.query<Fingerprint>(text, where.params)).rows[0]);
  return { n: Number(row.n), s1: String(row.s1), s2: String(row.s2) };
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

export async function countRows(side: SideSource): Promise<number> {
  const { rows } = await side.conn.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM (${side.base}) b`,
    side.params,
  );
  return Number(rows[0].n);
}
