import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCheckpointTable } from '../../src/engine/backfill/checkpoint-store.js';
import { removeRunCheckpoints } from '../../src/engine/backfill/remove-run-checkpoints.js';
import { migrate, schemaVersion } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations.js';
import * as schema from '../../src/store/schema.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';

const tables = (Object.values(schema) as unknown[]).filter((t): t is PgTable => is(t, PgTable));

describe.each(databaseKinds)('the stepwise schema on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (noServer(kind)) return;
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  it.skipIf(noServer(kind))('is created by the migrations, once, and holds the columns schema.ts describes', async () => {
    await migrate(db.conn);
    await migrate(db.conn);
    const { rows: applied } = await db.conn.query<{ version: number }>('SELECT version FROM stepwise.schema_migrations ORDER BY version');
    expect(applied.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    expect(applied.at(-1)!.version).toBe(schemaVersion);
    for (const table of tables) {
      const config = getTableConfig(table);
      const { rows } = await db.conn.query<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
          WHERE table_schema = 'stepwise' AND table_name = $1 ORDER BY column_name`,
        [config.name],
      );
      const described = config.columns
        .map((c) => ({ column_name: c.name, data_type: c.getSQLType(), is_nullable: c.notNull ? 'NO' : 'YES' }))
        .sort((a, b) => a.column_name.localeCompare(b.column_name));
      expect(rows, config.name).toEqual(described);
    }
  });

  it.skipIf(noServer(kind))('refuses a database whose schema is newer than this stepwise', async () => {
    await db.conn.query("INSERT INTO stepwise.schema_migrations (version, name) VALUES (999, 'from the future')");
    await expect(migrate(db.conn)).rejects.toThrow(/at version 999, newer than this stepwise knows/);
    await db.conn.query('DELETE FROM stepwise.schema_migrations WHERE version = 999');
  });

  it.skipIf(noServer(kind))('survives a full rollback of a run whose target is the state database itself', async () => {
    await migrate(db.conn);
    await ensureCheckpointTable(db.conn);
    await db.conn.query("INSERT INTO stepwise.backfill_checkpoint (run_id, step, max_key) VALUES ('r1', 'copy', '{1}')");
    const said = await removeRunCheckpoints(db.conn, 'r1');
    expect(said).toMatch(/kept the stepwise schema: it holds other tables/);
    expect(said).not.toMatch(/CASCADE/);
    const { rows } = await db.conn.query<{ version: number }>('SELECT max(version)::int AS version FROM stepwise.schema_migrations');
    expect(rows[0].version).toBe(schemaVersion);
  });
});
