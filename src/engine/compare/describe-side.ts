import { StepwiseError } from '../../errors/stepwise-error.js';
import type { DbConnection } from '../../db/connection.js';
import type { CompareSide } from '../../runbook/schema.js';
import { quoteColumn } from '../backfill/quote-column.js';
import type { ExecContext } from '../executor.js';

export interface CompareColumn {
  name: string;
  sql: string;
  type: string;
}

// One side of a compare, resolved: a relation (`base`, a SELECT with its bound parameters), its
// key and the columns that are fingerprinted.
export interface DescribedSide {
  label: 'left' | 'right';
  conn: DbConnection;
  // "background_tasks on app", for messages.
  what: string;
  base: string;
  params: unknown[];
  key: CompareColumn[];
  columns: CompareColumn[];
  // server_version_num of the side's server.
  serverVersion: number;
}

// A side ready to read: with the SQL hashing one of its rows (alias b), chosen for both sides.
export interface SideSource extends DescribedSide {
  rowHash: string;
}

function fail(message: string): never {
  throw new StepwiseError(message, 'stepFailed');
}

async function tableName(conn: DbConnection, table: string, label: string): Promise<string> {
  let name: string | undefined;
  try {
    const { rows } = await conn.query<{ name: string }>(
      'SELECT c.oid::regclass::text AS name FROM pg_class c WHERE c.oid = to_regclass($1)',
      [table],
    );
    name = rows[0]?.name;
  } catch (error) {
    fail(`compare ${label}: "${table}" is not a table name (${(error as Error).message})`);
  }
  if (!name)
    fail(
      `compare ${label}: table ${table} does not exist on ${conn.name}; check the name and the connection`,
    );
  return name;
}

// Column names of any SELECT, also when it returns no row: a LEFT JOIN onto one row yields one
// row of typed NULLs.
async function columnNames(conn: DbConnection, base: string, params: unknown[]): Promise<string[]> {
  const { rows } = await conn.query(
    `SELECT b.* FROM (SELECT 1) one LEFT JOIN (${base} LIMIT 0) b ON true`,
    params,
  );
  return Object.keys(rows[0] ?? {});
}

// The columns' types, and the server's version.
async function columnTypes(
  conn: DbConnection,
  base: string,
  params: unknown[],
  names: string[],
): Promise<{ types: string[]; serverVersion: number }> {
  const list = names.map((n, i) => `pg_typeof(b.${quoteColumn(n)})::text AS t${i}`).join(', ');
  const { rows } = await conn.query(
    `SELECT ${list}, current_setting('server_version_num') AS v FROM (SELECT 1) one LEFT JOIN (${base} LIMIT 0) b ON true`,
    params,
  );
  return { types: names.map((_, i) => String(rows[0][`t${i}`])), serverVersion: Number(rows[0].v) };
}

function pick(names: string[], wanted: string, what: string, label: string, field: string): string {
  const found = names.find((n) => n === wanted) ?? names.find((n) => n === wanted.toLowerCase());
  if (!found)
    fail(
      `compare ${label} ${field}: column ${wanted} does not exist in ${what}; its columns are ${names.join(', ')}`,
    );
  return found;
}

export async function describeSide(
  side: CompareSide,
  label: 'left' | 'right',
  ctx: ExecContext,
): Promise<DescribedSide> {
  if ((side.table === undefined) === (side.query === undefined)) {
    fail(`compare ${label}: give either table or query (exactly one)`);
  }
  const conn = ctx.connection(side.conn);
  const query = side.query?.trim().replace(/;+$/, '');
  const from =
    side.table !== undefined ? await tableName(conn, ctx.render.text(side.table), label) : `(${query}) q`;
  const what = `${side.table !== undefined ? from : 'the query'} on ${conn.name}`;
  const rendered = ctx.render.sql(`SELECT * FROM ${from}${side.where ? ` WHERE ${side.where}` : ''}`);
  let names: string[];
  try {
    names = await columnNames(conn, rendered.text, rendered.params);
  } catch (error) {
    fail(`compare ${label}: ${what} does not run: ${(error as Error).message}`);
  }
  const keyNames = (typeof side.key === 'string' ? [side.key] : side.key).map((k) =>
    pick(names, k, what, label, 'key'),
  );
  const colNames = (side.columns ?? names).map((c) => pick(names, c, what, label, 'columns'));
  const { types, serverVersion } = await columnTypes(conn, rendered.text, rendered.params, [...keyNames, ...colNames]);
  const column = (name: string, at: number): CompareColumn => ({
    name,
    sql: quoteColumn(name),
    type: types[at],
  });
  return {
    label,
    conn,
    what,
    base: rendered.text,
    params: rendered.params,
    key: keyNames.map((n, i) => column(n, i)),
    columns: colNames.map((n, i) => column(n, keyNames.length + i)),
    serverVersion,
  };
}

// Both sides must line up column for column.
export function checkSidesMatch(left: DescribedSide, right: DescribedSide): void {
  const list = (cs: CompareColumn[]) => cs.map((c) => c.name).join(', ');
  if (left.key.length !== right.key.length) {
    fail(
      `compare: the left key has ${left.key.length} columns (${list(left.key)}), the right ${right.key.length} (${list(right.key)}); give keys of the same width`,
    );
  }
  if (left.columns.length !== right.columns.length) {
    fail(
      `compare: left compares ${left.columns.length} columns (${list(left.columns)}), right ${right.columns.length} (${list(right.columns)}); list the same number of columns on both sides with columns:`,
    );
  }
}
