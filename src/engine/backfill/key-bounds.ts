import { StepwiseError } from '../../errors/stepwise-error.js';
import type { Queryable } from '../../db/connection.js';
import type { SourceTable, TableColumn } from './inspect-source.js';
import { type KeyValue, keyAsText, keyAtMost, keyOrder, showKey } from './keyset-sql.js';

// The largest key when the backfill starts: the fixed upper bound of the whole copy. Rows added
// later are the dual-write trigger's job, so the backfill always ends.
export async function maxKey(db: Queryable, table: SourceTable): Promise<KeyValue | undefined> {
  const { rows } = await db.query(
    `SELECT ${keyAsText(table.key)} FROM ${table.name} ORDER BY ${keyOrder(table.key, 'DESC')} LIMIT 1`,
  );
  return rows[0] ? table.key.map((_, i) => String(rows[0][`k${i}`])) : undefined;
}

const timeTypes = new Set(['date', 'timestamp without time zone', 'timestamp with time zone']);

function belowEverything(column: TableColumn, first: boolean): string | undefined {
  if (column.category === 'N') return first ? undefined : '0';
  if (column.category === 'S') return '';
  if (column.category === 'B') return 'false';
  if (timeTypes.has(column.type)) return '-infinity';
  if (column.type === 'uuid') return '00000000-0000-0000-0000-000000000000';
  throw new StepwiseError(
    `backfill key: column ${column.name} has type ${column.type}; a backfill key must be an integer, numeric, text, uuid, date or timestamp column`,
    'stepFailed',
  );
}

// The exclusive :lo of the first batch: a key below every row's key (min - 1 for numbers, '' for
// text, -infinity for times), checked against the table so that no row is left out.
export async function lowerBound(db: Queryable, table: SourceTable): Promise<KeyValue> {
  const bound: KeyValue = [];
  for (const [i, column] of table.key.entries()) {
    const value = belowEverything(column, i === 0);
    if (value !== undefined) {
      bound.push(value);
      continue;
    }
    const { rows } = await db.query<{ lo: string }>(
      `SELECT (min(${column.sql}) - 1)::text AS lo FROM ${table.name}`,
    );
    bound.push(rows[0].lo);
  }
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${table.name} WHERE ${keyAtMost(table.key, 1)}) AS found`,
    bound,
  );
  if (rows[0].found) {
    throw new StepwiseError(
      `backfill key: ${table.name} has a row whose key is ${showKey(bound)}, the lowest value of its type; :lo cannot start below it, so change that key first`,
      'stepFailed',
    );
  }
  return bound;
}
