import type { Query } from './demo-database.js';

// What a production schema has and the demo's does not, on every table the demo created: a grant
// to an application role, an extra column with a default, an index on it, a comment, a view over
// the table and a table of its own with a foreign key to one of its rows. A rollback must give all
// of it back untouched.
export async function addRealSchemaObjects(query: Query): Promise<void> {
  await query(
    "DO $$ BEGIN CREATE ROLE stepwise_app_reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
  );
  const tables = await query<{ schema: string; table: string; columns: string[]; types: string[] }>(
    `SELECT n.nspname AS schema, c.relname AS table,
            array_agg(a.attname::text ORDER BY k.ord) AS columns,
            array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.ord) AS types
     FROM pg_constraint AS con
     JOIN pg_class AS c ON c.oid = con.conrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
     CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = k.attnum
     WHERE con.contype = 'p' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
     GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
  for (const { schema, table, columns, types } of tables) {
    const target = `${ident(schema)}.${ident(table)}`;
    const keys = columns.map(ident).join(', ');
    await query(`ALTER TABLE ${target} ADD COLUMN site_note text DEFAULT 'kept'`);
    await query(`CREATE INDEX ${ident(`${table}_site_note_idx`)} ON ${target} (site_note)`);
    await query(`GRANT SELECT, UPDATE ON ${target} TO stepwise_app_reader`);
    await query(`COMMENT ON TABLE ${target} IS 'owned by the application team'`);
    await query(`CREATE VIEW ${ident(schema)}.${ident(`site_view_${table}`)} AS SELECT * FROM ${target}`);
    const refs = `${ident(schema)}.${ident(`site_refs_${table}`)}`;
    await query(
      `CREATE TABLE ${refs} (ref_id serial PRIMARY KEY, ${columns.map((c, i) => `${ident(c)} ${types[i]}`).join(', ')},
         FOREIGN KEY (${keys}) REFERENCES ${target} (${keys}))`,
    );
    await query(`INSERT INTO ${refs} (${keys}) SELECT ${keys} FROM ${target} ORDER BY ${keys} LIMIT 1`);
  }
}
