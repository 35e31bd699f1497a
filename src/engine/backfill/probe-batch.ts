import type { Queryable } from '../../db/connection.js';
import type { SourceTable } from './inspect-source.js';
import { type KeyValue, keyAbove, keyAtMost, keyColumnList, keyOrder, readKey } from './keyset-sql.js';

// The next batch's key range found by index: its first key, and the key `size` rows on (its
// inclusive upper bound), never past the bound max. No `hi` means fewer rows are left: the
// batch runs up to max. Parameters: lo ($1…), max, size. The keys become text outside the
// LIMIT: inside, every row the OFFSET walks past would be cast, half the probe's time.
function probeSql(table: SourceTable): string {
  const { key } = table;
  const n = key.length;
  const columns = keyColumnList(key);
  const range = `SELECT ${columns} FROM ${table.name} WHERE ${keyAbove(key, 1)} AND ${keyAtMost(key, n + 1)} ORDER BY ${keyOrder(key, 'ASC')}`;
  const pick = (alias: string) => key.map((c, i) => `${alias}.${c.sql}::text AS ${alias}${i}`).join(', ');
  return `SELECT ${pick('f')}, ${pick('h')} FROM (SELECT 1) one
  LEFT JOIN LATERAL (${range} LIMIT 1) f ON true
  LEFT JOIN LATERAL (${range} OFFSET $${2 * n + 1} - 1 LIMIT 1) h ON true`;
}

// Rows of (lo, hi], optionally locked FOR KEY SHARE until the batch commits. `select` reads the
// locked rows as `r`. Parameters: lo ($1…), hi.
function rangeSql(table: SourceTable, lock: boolean, select: string): string {
  const { key } = table;
  return `SELECT ${select} FROM (SELECT * FROM ${table.name}
     WHERE ${keyAbove(key, 1)} AND ${keyAtMost(key, key.length + 1)}${lock ? ' FOR KEY SHARE' : ''}) r`;
}

export interface Probed {
  first: KeyValue;
  // Undefined when fewer than `size` rows are left before max.
  hi?: KeyValue;
}

export class BatchProbe {
  private readonly probe: string;
  private readonly count: string;
  private readonly rows: string;

  // `lock`: hold the batch's source rows FOR KEY SHARE until it commits (see inspectSource).
  constructor(
    private readonly table: SourceTable,
    private readonly lock: boolean,
    private readonly signal: AbortSignal,
  ) {
    this.probe = probeSql(table);
    this.count = rangeSql(table, lock, 'count(*)::int AS n');
    this.rows = rangeSql(table, lock, 'count(*)::int AS n, json_agg(r)::text AS rows');
  }

  async find(tx: Queryable, lo: KeyValue, max: KeyValue, size: number): Promise<Probed | undefined> {
    const { rows } = await tx.query(this.probe, [...lo, ...max, size], { signal: this.signal });
    const row = rows[0];
    if (!row || row.f0 === null) return undefined;
    return {
      first: readKey(row, this.table.key, 'f'),
      hi: row.h0 === null ? undefined : readKey(row, this.table.key, 'h'),
    };
  }

  // Rows in (lo, hi]: known from the probe when it found `size` rows and nothing is locked.
  async countRows(tx: Queryable, lo: KeyValue, hi: KeyValue, known?: number): Promise<number> {
    if (known !== undefined && !this.lock) return known;
    const { rows } = await tx.query<{ n: number }>(this.count, [...lo, ...hi], { signal: this.signal });
    return rows[0].n;
  }

  // The rows of (lo, hi] as one JSON array, for a copy into another connection.
  async readRows(tx: Queryable, lo: KeyValue, hi: KeyValue): Promise<{ n: number; rows: string }> {
    const { rows } = await tx.query<{ n: number; rows: string }>(this.rows, [...lo, ...hi], {
      signal: this.signal,
    });
    return rows[0];
  }
}
