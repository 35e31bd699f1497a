import { afterEach, describe, expect, it } from 'vitest';
import { diffDatabaseStates } from '../../src/db/capture-database-state.js';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { storyKind } from '../helpers/targets.js';
import { captureState, createDemoDatabase, databaseVar, type DemoDatabase, digest } from './demo-database.js';
import { addRealSchemaObjects } from './real-schema.js';
import { onlyRun, runbookTimeout, runEndingSoaks, stepsByStatus } from './run-journal.js';

const runbook = 'runbooks/task-tracking/runbook.yaml';
const notCanary = `task_metadata IS DISTINCT FROM '{"canary": true}'::jsonb`;

// The runbook's story on the embedded database is its rehearsal (tests/time/rehearse.test.ts).
describe.each([storyKind])('task-tracking on %s', (kind) => {
  let db: DemoDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('moves task_status into the domain tables, then rolls back to the exact starting point', async () => {
    const stateDir = tempStateDir('rb-tracking-');
    db = await createDemoDatabase(kind, runbook, stateDir, { demo_rows: '4000' });
    await db.session(addRealSchemaObjects);
    const before = await db.session(async (query) => {
      const [counts] = await query<{ days: number; tries: number }>(
        `SELECT count(DISTINCT coalesce((task_metadata->>'date')::date, created_at::date))::int AS days,
                count(*)::int AS tries
         FROM task_status WHERE task_type = 'exchange_rate_update'`,
      );
      return {
        state: await captureState(query),
        taskStatus: await digest(query, 'SELECT * FROM task_status'),
        daily: await digest(query, 'SELECT * FROM daily_update_tracking'),
        etfUpdates: await digest(query, 'SELECT * FROM etf_updates'),
        etfCreations: await digest(
          query,
          "SELECT id, resource_id, error, task_metadata FROM task_status WHERE task_type = 'etf_creation'",
        ),
        dailyKept: await digest(
          query,
          'SELECT date, update_type, data_found, notes FROM daily_update_tracking',
        ),
        exchange: counts,
      };
    });
    expect(before.exchange.tries).toBeGreaterThan(before.exchange.days);

    // On a production connection --yes never types a step's phrase: the operator gives it.
    const phrase = ['--confirm', 'retire-legacy-tables=retire task_status'];
    const { result: run, ended } = await runEndingSoaks(
      [runbook, '--yes', '--plain', '--var', `backup_dir=${stateDir}`, ...phrase, ...databaseVar(db)],
      { stateDir, env: db.env },
      phrase,
    );
    expect(run.exitCode, run.all).toBe(0);
    expect(ended).toEqual(['observe-parallel-run']);
    const { state } = onlyRun(stateDir);
    expect(stepsByStatus(state)).toEqual({ succeeded: state.order });

    await db.session(async (query) => {
      expect(await digest(query, `SELECT * FROM archived_task_status WHERE ${notCanary}`)).toEqual(
        before.taskStatus,
      );
      expect(await digest(query, 'SELECT * FROM archived_daily_update_tracking')).toEqual(before.daily);
      // etf_updates keeps every value; two columns carry new names.
      expect(
        await digest(
          query,
          `SELECT id, etf_id, update_type, start_date, end_date, status, created_at, completed_at,
                  error_message, missing_dates, attempts, notes, site_note FROM etf_updates`,
        ),
      ).toEqual(before.etfUpdates);
      expect(
        await digest(
          query,
          `SELECT legacy_task_status_id, resource_id, error_message, task_metadata FROM etf_creation_tracking WHERE ${notCanary}`,
        ),
      ).toEqual(before.etfCreations);
      expect(
        await digest(query, 'SELECT update_date, update_type, data_found, notes FROM daily_update_tracking'),
      ).toEqual(before.dailyKept);
      const [exchange] = await query<{ days: number; tries: number }>(
        'SELECT count(*)::int AS days, sum(attempts)::int AS tries FROM exchange_rate_update_tracking',
      );
      expect(exchange).toEqual(before.exchange);
    });

    const rollback = await runCli(['rollback', '--yes', '--plain', ...phrase], { stateDir, env: db.env });
    expect(rollback.exitCode, rollback.all).toBe(0);
    expect(diffDatabaseStates(before.state, await db.session(captureState))).toEqual([]);
  }, runbookTimeout);
});
