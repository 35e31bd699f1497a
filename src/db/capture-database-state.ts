import type { DbConnection, Queryable } from './connection.js';

// Rows and an order-independent checksum (sum of 64-bit slices of each row's md5, so duplicate
// rows do not cancel out) of a table or query.
export interface RowDigest {
  rows: number;
  checksum: string;
}

// Everything that tells two states of a database apart, as text lines so a difference reads as
// what changed: the catalog of every non-system schema (schemas, tables, columns with their types,
// constraints, indexes, views, triggers, functions with their bodies, types, sequences with their
// settings, policies, ownership, privileges and comments), each sequence's position, and a digest
// of every table's rows. OIDs are left out: a table renamed aside and back is the same table.
export interface DatabaseState {
  catalog: string[];
  sequences: Record<string, string>;
  tables: Record<string, RowDigest>;
}

export interface CaptureOptions {
  // Schemas left out besides the system ones (pg_*, information_schema).
  excludeSchemas?: string[];
}

const statementTimeout = '60s';

export async function digestRows(db: Queryable, sql: string, params: unknown[] = []): Promise<RowDigest> {
  const { rows } = await db.query<RowDigest>(
    `SELECT count(*)::int AS rows,
            coalesce(sum(('x' || substr(md5(d::text), 1, 16))::bit(64)::bigint::numeric), 0)::text AS checksum
     FROM (${sql}) AS d`,
    params,
  );
  return rows[0];
}

// `n` is a namespace alias; $1 holds the excluded schema names.
const inScope = (n: string) => `${n}.nspname NOT LIKE 'pg\\_%' AND ${n}.nspname <> 'information_schema' AND ${n}.nspname <> ALL ($1::text[])`;

// ACLs as sorted text, so the order grants were given in does not matter.
const acl = (column: string) =>
  `coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(${column}) AS a), 'default')`;

const catalogSql = `
  SELECT format('schema %I owner=%s acl=%s', n.nspname, n.nspowner::regrole, ${acl('n.nspacl')}) AS item
  FROM pg_namespace AS n WHERE ${inScope('n')}
  UNION ALL
  SELECT format('relation %I.%I kind=%s persistence=%s owner=%s acl=%s rls=%s/%s options=%s',
                n.nspname, c.relname, c.relkind, c.relpersistence, c.relowner::regrole, ${acl('c.relacl')},
                c.relrowsecurity, c.relforcerowsecurity, coalesce(array_to_string(c.reloptions, ','), ''))
  FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${inScope('n')}
  UNION ALL
  SELECT format('column %I.%I.%I #%s %s notnull=%s default=%s collation=%s identity=%s generated=%s acl=%s',
                n.nspname, c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_get_expr(d.adbin, d.adrelid), coalesce(co.collname, ''), a.attidentity, a.attgenerated,
                ${acl('a.attacl')})
  FROM pg_attribute AS a
  JOIN pg_class AS c ON c.oid = a.attrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_collation AS co ON co.oid = a.attcollation AND a.attcollation <> 0
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${inScope('n')}
  UNION ALL
  SELECT format('constraint %I.%I %I %s validated=%s deferrable=%s/%s', n.nspname, cl.relname, c.conname,
                pg_get_constraintdef(c.oid), c.convalidated, c.condeferrable, c.condeferred)
  FROM pg_constraint AS c JOIN pg_namespace AS n ON n.oid = c.connamespace
  LEFT JOIN pg_class AS cl ON cl.oid = c.conrelid
  WHERE ${inScope('n')}
  UNION ALL
  SELECT format('index %s valid=%s', pg_get_indexdef(i.indexrelid), i.indisvalid)
  FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE ${inScope('n')}
  UNION ALL
  SELECT format('view %I.%I %s', n.nspname, c.relname, pg_get_viewdef(c.oid))
  FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('v', 'm') AND ${inScope('n')}
  UNION ALL
  SELECT format('trigger %s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled)
  FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE NOT t.tgisinternal AND ${inScope('n')}
  UNION ALL
  SELECT format('rule %I.%I %s', n.nspname, r.rulename, pg_get_ruledef(r.oid))
  FROM pg_rewrite AS r JOIN pg_class AS c ON c.oid = r.ev_class JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE r.rulename <> '_RETURN' AND ${inScope('n')}
  UNION ALL
  SELECT format('policy %I.%I %I %s to=%s using=%s check=%s', n.nspname, c.relname, p.polname, p.polcmd,
                p.polroles::regrole[]::text, pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
  FROM pg_policy AS p JOIN pg_class AS c ON c.oid = p.polrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE ${inScope('n')}
  UNION ALL
  SELECT format('function %I.%I(%s) returns %s owner=%s acl=%s body=%s', n.nspname, p.proname,
                pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid), p.proowner::regrole,
                ${acl('p.proacl')}, md5(coalesce(p.prosrc, '')))
  FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
  WHERE ${inScope('n')}
  UNION ALL
  SELECT format('type %I.%I kind=%s owner=%s labels=%s', n.nspname, t.typname, t.typtype, t.typowner::regrole,
                (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum AS e WHERE e.enumtypid = t.oid))
  FROM pg_type AS t JOIN pg_namespace AS n ON n.oid = t.typnamespace
  LEFT JOIN pg_class AS c ON c.oid = t.typrelid
  WHERE t.typtype IN ('e', 'd', 'c', 'r') AND (c.oid IS NULL OR c.relkind = 'c') AND ${inScope('n')}
  UNION ALL
  SELECT format('sequence %I.%I %s start=%s increment=%s min=%s max=%s cache=%s cycle=%s owned_by=%s',
                s.schemaname, s.sequencename, s.data_type, s.start_value, s.increment_by, s.min_value,
                s.max_value, s.cache_size, s.cycle,
                (SELECT format('%s.%I', d.refobjid::regclass, a.attname)
                 FROM pg_depend AS d JOIN pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
                   AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
  FROM pg_sequences AS s JOIN pg_namespace AS n ON n.nspname = s.schemaname
  WHERE ${inScope('n')}
  UNION ALL
  SELECT format('comment %s %s', d.classoid::regclass, d.description) || coalesce(' on ' || c.relname, '')
  FROM pg_description AS d
  JOIN pg_class AS c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
  JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE ${inScope('n')}
  UNION ALL
  SELECT format('extension %I %s', e.extname, e.extversion) FROM pg_extension AS e
  ORDER BY 1`;

const sequencesSql = `
  SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class AS c
  JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S' AND ${inScope('n')} ORDER BY 1`;

const tablesSql = `
  SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class AS c
  JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND ${inScope('n')} ORDER BY 1`;

// Reads the state in one REPEATABLE READ READ ONLY transaction, so the catalog, the sequences and
// the rows are one snapshot even while something else writes. A bare Queryable (an open
// transaction) is read as it is.
export async function captureDatabaseState(
  db: Queryable | DbConnection,
  options: CaptureOptions = {},
): Promise<DatabaseState> {
  if ('transaction' in db) {
    return db.transaction(
      async (tx) => {
        await tx.query(`SET LOCAL statement_timeout = '${statementTimeout}'`);
        return readState(tx, options);
      },
      { isolation: 'repeatable read', readOnly: true },
    );
  }
  return readState(db, options);
}

async function readState(db: Queryable, options: CaptureOptions): Promise<DatabaseState> {
  const excluded = [...(options.excludeSchemas ?? [])];
  const catalog = (await db.query<{ item: string }>(catalogSql, [excluded])).rows.map((r) => r.item);
  const sequences: Record<string, string> = {};
  for (const { name } of (await db.query<{ name: string }>(sequencesSql, [excluded])).rows) {
    const { rows } = await db.query<{ position: string }>(
      `SELECT format('last_value=%s is_called=%s', last_value, is_called) AS position FROM ${name}`,
    );
    sequences[name] = rows[0].position;
  }
  const tables: Record<string, RowDigest> = {};
  for (const { name } of (await db.query<{ name: string }>(tablesSql, [excluded])).rows) {
    tables[name] = await digestRows(db, `SELECT * FROM ${name}`);
  }
  return { catalog, sequences, tables };
}

// What differs between two states, one line each ("only before: …", "only after: …",
// "rows of x: 10 -> 9"), empty when they are identical.
export function diffDatabaseStates(before: DatabaseState, after: DatabaseState): string[] {
  const differences: string[] = [];
  const afterCatalog = new Set(after.catalog);
  const beforeCatalog = new Set(before.catalog);
  for (const item of before.catalog) if (!afterCatalog.has(item)) differences.push(`only before: ${item}`);
  for (const item of after.catalog) if (!beforeCatalog.has(item)) differences.push(`only after: ${item}`);
  const compare = (what: string, a: Record<string, string>, b: Record<string, string>) => {
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[name] !== b[name]) differences.push(`${what} ${name}: ${a[name] ?? 'absent'} -> ${b[name] ?? 'absent'}`);
    }
  };
  compare('sequence', before.sequences, after.sequences);
  const describe = (tables: Record<string, RowDigest>) =>
    Object.fromEntries(
      Object.entries(tables).map(([name, d]) => [name, `${d.rows} rows, checksum ${d.checksum}`]),
    );
  compare('table', describe(before.tables), describe(after.tables));
  return differences;
}
