import { StepwiseError } from '../../errors/stepwise-error.js';
import type { Queryable } from '../../db/connection.js';
import { quoteColumn } from './quote-column.js';

export interface TableColumn {
  name: string;
  // Quoted identifier for SQL text.
  sql: string;
  // format_type(): the column's type as SQL spells it, for casts of bound keys.
  type: string;
  // pg_type.typcategory: N numeric, S string, D date/time, U user (uuid), …
  category: string;
  notNull: boolean;
}

export interface SourceTable {
  // The table's name as PostgreSQL quotes it (schema-qualified when not on the search path).
  name: string;
  oid: string;
  columns: TableColumn[];
  key: TableColumn[];
  // Planner's row estimate (-1 or 0 before the first ANALYZE).
  reltuples: number;
  // Enabled row triggers on DELETE or UPDATE: a dual-write that propagates deletes and key changes.
  writeTriggers: string[];
}

const integerTypes = new Set(['smallint', 'integer', 'bigint']);

export function isIntegerKey(key: TableColumn[]): boolean {
  return key.length === 1 && integerTypes.has(key[0].type);
}

function fail(message: string): never {
  throw new StepwiseError(message, 'stepFailed');
}

async function findTable(db: Queryable, from: string, where: string) {
  let found: { oid: string; name: string; reltuples: number; relkind: string } | undefined;
  try {
    const { rows } = await db.query<{ oid: string; name: string; reltuples: number; relkind: string }>(
      `SELECT c.oid::text AS oid, c.oid::regclass::text AS name, c.reltuples::float8 AS reltuples,
              c.relkind::text AS relkind
         FROM pg_class c WHERE c.oid = to_regclass($1)`,
      [from],
    );
    found = rows[0];
  } catch (error) {
    fail(
      `backfill from: "${from}" is not a table name (${(error as Error).message}); write it as table or schema.table`,
    );
  }
  if (!found)
    fail(`backfill from: table ${from} does not exist on ${where}; check the name and the connection`);
  return found;
}

function pickColumn(columns: TableColumn[], name: string, table: string): TableColumn {
  const column = columns.find((c) => c.name === name) ?? columns.find((c) => c.name === name.toLowerCase());
  if (!column) {
    fail(
      `backfill key: column ${name} does not exist in ${table}; its columns are ${columns.map((c) => c.name).join(', ')}`,
    );
  }
  return column;
}

interface IndexRow {
  unique: boolean;
  cols: string;
  nkey: number;
}

// The key must be unique (a unique index over a subset of the key columns) and indexed in key
// order (a btree whose leading columns are the key), else keyset pagination skips or repeats rows
// or scans the whole table for every batch.
async function checkKeyIndexes(db: Queryable, table: SourceTable, nums: Map<string, number>): Promise<void> {
  const { rows } = await db.query<IndexRow>(
    `SELECT i.indisunique AS unique, i.indkey::text AS cols, i.indnkeyatts::int AS nkey
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
      WHERE i.indrelid = $1::oid AND i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree'`,
    [table.oid],
  );
  const keyNums = table.key.map((c) => nums.get(c.name)!);
  const indexes = rows.map((r) => ({
    unique: r.unique,
    cols: r.cols.split(' ').map(Number).slice(0, r.nkey),
  }));
  const keyText = table.key.map((c) => c.name).join(', ');
  const unique = indexes.some(
    (i) => i.unique && i.cols.length > 0 && i.cols.every((n) => keyNums.includes(n)),
  );
  if (!unique) {
    fail(
      `backfill key (${keyText}) is not unique in ${table.name}: no primary key or unique index covers it, so batches could skip or repeat rows; use the primary key`,
    );
  }
  const ordered = indexes.some((i) => keyNums.every((n, at) => i.cols[at] === n));
  if (!ordered) {
    fail(
      `backfill key (${keyText}) is not indexed in ${table.name}: every batch would scan the table; create an index on (${keyText}) or use the primary key`,
    );
  }
}

async function checkKeyNotNull(db: Queryable, table: SourceTable): Promise<void> {
  const nullable = table.key.filter((c) => !c.notNull);
  if (nullable.length === 0) return;
  const test = nullable.map((c) => `${c.sql} IS NULL`).join(' OR ');
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${table.name} WHERE ${test}) AS found`,
  );
  if (rows[0]?.found) {
    fail(
      `backfill key: ${table.name} has rows where ${nullable.map((c) => c.name).join(' or ')} is NULL; keyset batches never reach them, so fill or delete them first`,
    );
  }
}

// tgtype bits: 1 row, 8 delete, 16 update; tgenabled 'D' is disabled.
async function writeTriggers(db: Queryable, oid: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT tgname::text AS name FROM pg_trigger
      WHERE tgrelid = $1::oid AND NOT tgisinternal AND tgenabled <> 'D' AND tgtype & 1 = 1 AND tgtype & 24 <> 0
      ORDER BY tgname`,
    [oid],
  );
  return rows.map((r) => r.name);
}

// Resolves `from` and `key` against the catalog; every problem is reported before anything is copied.
export async function inspectSource(
  db: Queryable,
  from: string,
  keyNames: string[],
  where: string,
): Promise<SourceTable> {
  const found = await findTable(db, from, where);
  const { rows } = await db.query<{
    num: number;
    name: string;
    type: string;
    category: string;
    notnull: boolean;
  }>(
    `SELECT a.attnum::int AS num, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
            t.typcategory::text AS category, a.attnotnull AS notnull
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [found.oid],
  );
  const columns: TableColumn[] = rows.map((r) => ({
    name: r.name,
    sql: quoteColumn(r.name),
    type: r.type,
    category: r.category,
    notNull: r.notnull,
  }));
  const nums = new Map(rows.map((r) => [r.name, r.num]));
  const key = keyNames.map((name) => pickColumn(columns, name, found.name));
  const table: SourceTable = {
    name: found.name,
    oid: found.oid,
    columns,
    key,
    reltuples: found.reltuples,
    writeTriggers: await writeTriggers(db, found.oid),
  };
  await checkKeyIndexes(db, table, nums);
  await checkKeyNotNull(db, table);
  return table;
}
