import { afterEach, expect, it } from 'vitest';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { testDatabaseUrl } from '../helpers/scratch-database.js';
import { createDemoDatabase, type DemoDatabase } from './demo-database.js';
import { onlyRun, stepsByStatus } from './run-journal.js';

const runbook = 'runbooks/generic-task-model/runbook.yaml';
let db: DemoDatabase | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

it.skipIf(!testDatabaseUrl)('stops a run on a server before anything changes until the operator names the database', async () => {
  const stateDir = tempStateDir('rb-named-');
  db = await createDemoDatabase('postgres', runbook, stateDir, { demo_rows: '100' });
  const run = await runCli(['run', runbook, '--yes', '--plain', '--var', `backup_dir=${stateDir}`], { stateDir, env: db.env });
  expect(run.exitCode, run.all).toBe(1);
  expect(run.all).toContain('name the database this run is for: stepwise resume --var database=NAME');
  const { state } = onlyRun(stateDir);
  expect(stepsByStatus(state)).toEqual({
    succeeded: ['server-health', 'disk-space', 'database-size', 'not-started-before'],
    failed: ['database-named'],
    pending: state.order.slice(5),
  });
});
