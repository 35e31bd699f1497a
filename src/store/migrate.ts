import type { DbConnection, Queryable } from '../db/connection.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { type Migration, migrations } from './migrations.js';

// The schema version this stepwise writes and reads.
export const schemaVersion = migrations.at(-1)!.version;

async function appliedVersion(q: Queryable): Promise<number> {
  const exists = await q.query<{ t: string | null }>("SELECT to_regclass('stepwise.schema_migrations')::text AS t");
  if (!exists.rows[0].t) return 0;
  const { rows } = await q.query<{ version: number }>('SELECT coalesce(max(version), 0) AS version FROM stepwise.schema_migrations');
  return Number(rows[0].version);
}

function tooNew(version: number, target: string): StepwiseError {
  return new StepwiseError(
    `the stepwise schema of ${target} is at version ${version}, newer than this stepwise knows (${schemaVersion}): ` +
      'use the stepwise version the team runs',
    'usage',
  );
}

// Brings the `stepwise` schema of the state database to schemaVersion, applying the missing
// migrations in one transaction under an advisory lock, so two hosts starting at once apply them
// once. A database already there costs one SELECT. Drizzle's own migrator reads SQL files that
// drizzle-kit generates and takes no lock, hence this small runner.
export async function migrate(conn: Pick<DbConnection, 'query' | 'transaction' | 'target'>, list: Migration[] = migrations): Promise<void> {
  const latest = list.at(-1)!.version;
  const now = await appliedVersion(conn);
  if (now === latest) return;
  if (now > latest) throw tooNew(now, conn.target);
  await conn.transaction(async (tx) => {
    await tx.query("SET LOCAL statement_timeout = '60s'");
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('stepwise.schema_migrations'))");
    await tx.query('CREATE SCHEMA IF NOT EXISTS stepwise');
    await tx.query(`CREATE TABLE IF NOT EXISTS stepwise.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const from = await appliedVersion(tx);
    if (from > latest) throw tooNew(from, conn.target);
    for (const migration of list.filter((m) => m.version > from)) {
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO stepwise.schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
  });
}
