import type { SourceTable } from './inspect-source.js';
import { type KeyValue, keyAbove, keyAtMost, keyOrder } from './keyset-sql.js';

// One keyset step: the next `size` keys after lo (never past the bound max) as a materialised
// set, with its count and first and last key. `extra` adds select-list items over the set `s`.
// Parameters: lo ($1…), max, size.
export function probeSql(table: SourceTable, select: '*' | 'key', extra = ''): string {
  const { key } = table;
  const n = key.length;
  const list = key.map((c) => c.sql).join(', ');
  const cols = select === '*' ? '*' : list;
  const text = (alias: string, prefix: string) =>
    key.map((c, i) => `${alias}.${c.sql}::text AS ${prefix}${i}`).join(', ');
  return `WITH s AS MATERIALIZED (
  SELECT ${cols} FROM ${table.name}
   WHERE ${keyAbove(key, 1)} AND ${keyAtMost(key, n + 1)}
   ORDER BY ${keyOrder(key, 'ASC')} LIMIT $${2 * n + 1})
SELECT (SELECT count(*) FROM s)::int AS n, ${text('f', 'f')}, ${text('l', 'h')}${extra}
  FROM (SELECT ${list} FROM s ORDER BY ${keyOrder(key, 'ASC')} LIMIT 1) f,
       (SELECT ${list} FROM s ORDER BY ${keyOrder(key, 'DESC')} LIMIT 1) l`;
}

export function probeParams(lo: KeyValue, max: KeyValue, size: number): unknown[] {
  return [...lo, ...max, size];
}

export interface Probed {
  n: number;
  first: KeyValue;
  hi: KeyValue;
}

export function readProbe(row: Record<string, unknown> | undefined, width: number): Probed | undefined {
  if (!row) return undefined;
  const pick = (prefix: string) => Array.from({ length: width }, (_, i) => String(row[`${prefix}${i}`]));
  return { n: Number(row.n), first: pick('f'), hi: pick('h') };
}
