import { afterEach, describe, expect, it } from 'vitest';
import { diffDatabaseStates } from '../../src/db/capture-database-state.js';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { storyKind } from '../helpers/targets.js';
import { captureState, createDemoDatabase, databaseVar, type DemoDatabase, digest } from './demo-database.js';
import { addRealSchemaObjects } from './real-schema.js';
import { onlyRun, runbookTimeout, runEndingSoaks, stepsByStatus } from './run-journal.js';

const runbook = 'runbooks/queue-migration/runbook.yaml';
// The demo's running tasks had a heartbeat 45 s before seeding; in a test that is "now", so
// a 1 s grace declares their workers dead instead of waiting for them.
// On a production connection --yes never types a step's phrase: the operator gives it.
const runVars = ['--var', 'heartbeat_grace=1 second', '--confirm', 'retire-legacy-table=retire background_tasks'];

// What the queue must hold for each legacy task, written independently of the runbook's
// mapping view: a running task of a dead worker comes back as queued.
const legacyAsQueue = `
  SELECT id, task_type AS kind, coalesce(payload, '{}'::jsonb) AS payload,
         CASE status WHEN 'pending' THEN 'queued' WHEN 'running' THEN 'queued' WHEN 'completed' THEN 'done' ELSE status END AS state,
         priority, attempts, last_error, created_at, completed_at AS finished_at
  FROM background_tasks`;
const queueRows = `
  SELECT id, kind, payload, state, priority, attempts, last_error, created_at, finished_at
  FROM task_queue WHERE kind <> 'stepwise.canary'`;

// The runbook's story on the embedded database is its rehearsal (tests/time/rehearse.test.ts).
describe.each([storyKind])('queue-migration on %s', (kind) => {
  let db: DemoDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('moves every background task to the queue, then rolls back to the exact starting point', async () => {
    const stateDir = tempStateDir('rb-queue-');
    db = await createDemoDatabase(kind, runbook, stateDir, { demo_rows: '3000' });
    await db.session(addRealSchemaObjects);
    const before = await db.session(async (query) => ({
      state: await captureState(query),
      tasks: await digest(query, 'SELECT * FROM background_tasks'),
      expectedQueue: await digest(query, legacyAsQueue),
    }));

    const { result: run, ended } = await runEndingSoaks(
      [runbook, '--yes', '--plain', '--var', `backup_dir=${stateDir}`, ...runVars, ...databaseVar(db)],
      { stateDir, env: db.env },
      runVars,
    );
    expect(run.exitCode, run.all).toBe(0);
    expect(ended).toEqual(['monitor-dual-write', 'watch-25-percent', 'monitor-cutover']);
    const { state } = onlyRun(stateDir);
    expect(state.status).toBe('succeeded');
    const dumpLog = (await runCli(['log', state.runId, 'dump'], { stateDir })).stdout;
    expect(dumpLog).toContain(
      kind === 'postgres'
        ? `backup ${stateDir}/backup-${state.runId}.dump verified with pg_restore --list: 2 tables of data`
        : 'embedded database: no pg_dump here, the copies in schema queue_migration_backup are the backup',
    );
    expect(stepsByStatus(state)).toEqual({ succeeded: state.order });

    await db.session(async (query) => {
      expect(await digest(query, queueRows)).toEqual(before.expectedQueue);
      expect(
        await digest(query, "SELECT * FROM archived_background_tasks WHERE task_type <> 'stepwise.canary'"),
      ).toEqual(before.tasks);
      const [flags] = await query<{ reading: boolean; legacy: string | null; canaries: number }>(
        `SELECT (SELECT enabled FROM feature_flags WHERE name = 'tasks.read_from_queue') AS reading,
                to_regclass('background_tasks')::text AS legacy,
                (SELECT count(*)::int FROM task_queue WHERE kind = 'stepwise.canary') AS canaries`,
      );
      expect(flags).toEqual({ reading: true, legacy: null, canaries: 1 });
    });

    // Later, on demand: does the migration still hold? Then the read flag is turned off behind its
    // back. (On the server only: on the embedded database each command reopens it, and the soaks
    // already cost this story three more.)
    if (kind === 'postgres') {
      const check = await runCli(['check', state.runId, '--json'], { stateDir, env: db.env });
      expect(check.exitCode, check.all).toBe(0);
      expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, checks: [{ step: 'cleanup-done', ok: true }] });
      const flag = (enabled: boolean) =>
        db!.session((query) =>
          query('UPDATE feature_flags SET enabled = $1 WHERE name = $2', [enabled, 'tasks.read_from_queue']),
        );
      await flag(false);
      const broken = await runCli(['check', state.runId], { stateDir, env: db.env });
      expect(broken.exitCode, broken.all).toBe(1);
      expect(broken.stdout).toContain('✖ 4.4 cleanup-done  FAILED: reading = false, expected true');
      await flag(true);
    }

    const rollback = await runCli(['rollback', '--yes', '--plain', '--confirm', 'retire-legacy-table=retire background_tasks'], { stateDir, env: db.env });
    expect(rollback.exitCode, rollback.all).toBe(0);
    expect(rollback.all).toContain('removed the stepwise schema (backfill checkpoints, journal anchors) from app');
    expect(diffDatabaseStates(before.state, await db.session(captureState))).toEqual([]);
    // Three soaks ended early: three more processes, each opening the embedded database again.
  }, 2 * runbookTimeout);
});
