import type { Query } from './demo-database.js';

// Rows and an order-independent checksum (sum of 64-bit slices of each row's md5, so
// duplicates do not cancel out) of whatever `sql` returns.
export interface Digest {
  rows: number;
  checksum: string;
}

export async function digest(query: Query, sql: string): Promise<Digest> {
  const [row] = await query<Digest>(
    `SELECT count(*)::int AS rows,
            coalesce(sum(('x' || substr(md5(d::text), 1, 16))::bit(64)::bigint::numeric), 0)::text AS checksum
     FROM (${sql}) AS d`,
  );
  return row;
}

// Everything that tells two databases apart for a runbook: the catalog of the user schemas
// (schemas, columns, constraints, indexes, views, triggers, functions, sequences) and a digest
// of every table. The `stepwise` schema holds the tool's own backfill checkpoints and is left out.
export interface DatabaseState {
  catalog: string[];
  tables: Record<string, Digest>;
}

const userSchema = (column: string) =>
  `${column} NOT LIKE 'pg\\_%' AND ${column} NOT IN ('information_schema', 'stepwise')`;

const catalogSql = `
  SELECT 'schema ' || nspname AS item FROM pg_namespace WHERE ${userSchema('nspname')}
  UNION ALL
  SELECT format('column %s.%s.%s %s null=%s default=%s', table_schema, table_name, column_name,
                data_type, is_nullable, column_default)
  FROM information_schema.columns WHERE ${userSchema('table_schema')}
  UNION ALL
  SELECT format('constraint %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
  FROM pg_constraint AS c JOIN pg_namespace AS n ON n.oid = c.connamespace WHERE ${userSchema('n.nspname')}
  UNION ALL
  SELECT format('index %s.%s %s', schemaname, indexname, indexdef) FROM pg_indexes WHERE ${userSchema('schemaname')}
  UNION ALL
  SELECT format('view %s.%s %s', schemaname, viewname, definition) FROM pg_views WHERE ${userSchema('schemaname')}
  UNION ALL
  SELECT format('trigger %s', pg_get_triggerdef(t.oid))
  FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE NOT t.tgisinternal AND ${userSchema('n.nspname')}
  UNION ALL
  SELECT format('function %s.%s(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
  FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace WHERE ${userSchema('n.nspname')}
  UNION ALL
  SELECT format('sequence %s.%s', schemaname, sequencename) FROM pg_sequences WHERE ${userSchema('schemaname')}
  ORDER BY 1`;

export async function captureState(query: Query): Promise<DatabaseState> {
  const catalog = (await query<{ item: string }>(catalogSql)).map((r) => r.item);
  const tables: Record<string, Digest> = {};
  const names = await query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND ${userSchema('table_schema')} ORDER BY 1`,
  );
  for (const { name } of names) tables[name] = await digest(query, `SELECT * FROM ${name}`);
  return { catalog, tables };
}
