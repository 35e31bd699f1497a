import { afterEach, describe, expect, it } from 'vitest';
import { diffDatabaseStates } from '../../src/db/capture-database-state.js';
import { watchFor } from '../helpers/engine-watch.js';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { storyKind } from '../helpers/targets.js';
import { alice, bob, canSwitchUsers, cliAs, shareWithGroup } from '../helpers/unix-users.js';
import { captureState, createDemoDatabase, databaseVar, type DemoDatabase, digest, type Query } from './demo-database.js';
import type { RowDigest } from '../../src/db/capture-database-state.js';
import { addRealSchemaObjects } from './real-schema.js';
import { onlyRun, runbookTimeout, stepsByStatus } from './run-journal.js';

const runbook = 'runbooks/v3-consolidation/runbook.yaml';
const dropped = [
  'v3_data_imports',
  'v3_discovery_flows',
  'v3_field_mappings',
  'v3_raw_import_records',
  'workflow_states',
  'discovery_assets',
  'mapping_learning_patterns',
  'data_quality_issues',
  'workflow_progress',
  'import_processing_steps',
];
const consolidated = ['data_imports', 'discovery_flows', 'import_field_mappings'];

async function columnsOf(query: Query, table: string): Promise<string> {
  const [row] = await query<{ columns: string }>(
    `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
     FROM information_schema.columns WHERE table_schema = 'migration' AND table_name = $1`,
    [table],
  );
  return row.columns;
}

async function digests(query: Query, tables: string[], sql: (table: string) => Promise<string> | string) {
  const result: Record<string, RowDigest> = {};
  for (const table of tables) result[table] = await digest(query, await sql(table));
  return result;
}

// The runbook's story on the embedded database is its rehearsal (tests/time/rehearse.test.ts).
describe.each([storyKind])('v3-consolidation on %s', (kind) => {
  let db: DemoDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it.skipIf(!canSwitchUsers)('merges the V3 tables with two Unix users at the quality gate, then rolls back to the exact starting point', async () => {
    const stateDir = tempStateDir('rb-v3-');
    db = await createDemoDatabase(kind, runbook, stateDir, { demo_rows: '3000' });
    await db.session(addRealSchemaObjects);
    const before = await db.session(async (query) => {
      const columns: Record<string, string> = {};
      for (const table of consolidated) columns[table] = await columnsOf(query, table);
      return {
        state: await captureState(query),
        columns,
        dropped: await digests(query, dropped, (t) => `SELECT * FROM migration.${t}`),
        consolidated: await digests(query, consolidated, (t) => `SELECT * FROM migration.${t}`),
        raw: await digest(
          query,
          'SELECT id, data_import_id, row_number, raw_data, is_processed, created_at FROM migration.v3_raw_import_records',
        ),
        renamed: await digest(
          query,
          'SELECT id, source_filename, file_size_bytes, file_type, user_id, master_flow_id FROM migration.v3_data_imports',
        ),
      };
    });

    // The phase-1 quality gate needs two different Unix users: alice's engine drives the run and
    // waits there; bob signs from his own session and the engine goes on to the end.
    shareWithGroup(stateDir);
    // On a production connection --yes never types a step's phrase: the operator gives them.
    const phrases = ['--confirm', 'drop-deprecated=retire deprecated tables', '--confirm', 'drop-v3-tables=retire v3 tables'];
    const first = await cliAs(alice, ['run', runbook, '--detach', '--yes', '--operator', 'alice', '--var', `backup_dir=${stateDir}`, ...phrases, ...databaseVar(db)], {
      stateDir,
      env: db.env,
    });
    expect(first.exitCode, first.all).toBe(0);
    const engine = await watchFor(stateDir, (e) => e.type === 'gate.signed' && e.phase === 'consolidate');
    await engine.event;
    const second = await cliAs(bob, ['approve', '--yes', '--operator', 'bob'], { stateDir, env: db.env });
    expect(second.exitCode, second.all).toBe(0);
    await engine.client.ended;
    const { state } = onlyRun(stateDir);
    expect(stepsByStatus(state)).toEqual({ succeeded: state.order });

    await db.session(async (query) => {
      // Every dropped table is in the archive, row for row.
      expect(await digests(query, dropped, (t) => `SELECT * FROM migration_archive.${t}`)).toEqual(
        before.dropped,
      );
      // Rows the consolidated tables had before are unchanged (read through the verified backup's ids).
      expect(await digests(query, consolidated, (t) => `SELECT * FROM v3_consolidation_backup.${t}`)).toEqual(
        before.consolidated,
      );
      expect(
        await digests(
          query,
          consolidated,
          (t) =>
            `SELECT ${before.columns[t]} FROM migration.${t} AS c
             WHERE EXISTS (SELECT 1 FROM v3_consolidation_backup.${t} AS b WHERE b.id = c.id)`,
        ),
      ).toEqual(before.consolidated);
      // V3 rows arrived under their new field names; raw records are identical.
      expect(
        await digest(
          query,
          `SELECT d.id, d.filename, d.file_size, d.mime_type, d.imported_by, d.master_flow_id FROM migration.data_imports AS d
           WHERE d.id IN (SELECT id FROM migration_archive.v3_data_imports)`,
        ),
      ).toEqual(before.renamed);
      expect(
        await digest(
          query,
          'SELECT id, data_import_id, row_number, raw_data, is_processed, created_at FROM migration.raw_import_records',
        ),
      ).toEqual(before.raw);
      const [left] = await query<{ flows: number; mappings: number; orphans: number }>(
        `SELECT (SELECT count(*)::int FROM migration_archive.v3_discovery_flows AS v
                  WHERE v.id NOT IN (SELECT id FROM migration.discovery_flows)) AS flows,
                (SELECT count(*)::int FROM migration_archive.v3_field_mappings AS v
                  WHERE v.id NOT IN (SELECT id FROM migration.import_field_mappings)) AS mappings,
                (SELECT count(*)::int FROM migration_archive.v3_field_mappings AS v
                  WHERE v.data_import_id NOT IN (SELECT id FROM migration.data_imports)) AS orphans`,
      );
      expect(left.flows).toBe(0);
      expect(left.mappings).toBe(left.orphans);
      expect(left.orphans).toBeGreaterThan(0);
    });

    const rollback = await runCli(['rollback', '--yes', '--plain', ...phrases], { stateDir, env: db.env });
    expect(rollback.exitCode, rollback.all).toBe(0);
    expect(diffDatabaseStates(before.state, await db.session(captureState))).toEqual([]);
  }, runbookTimeout);
});
