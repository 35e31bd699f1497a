import { afterEach, describe, expect, it } from 'vitest';
import { diffDatabaseStates } from '../../src/db/capture-database-state.js';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { storyKind } from '../helpers/targets.js';
import { captureState, createDemoDatabase, databaseVar, type DemoDatabase, digest } from './demo-database.js';
import { addRealSchemaObjects } from './real-schema.js';
import { onlyRun, runbookTimeout, stepsByStatus } from './run-journal.js';

const runbook = 'runbooks/generic-task-model/runbook.yaml';

// Written independently of the runbook's SQL: what the generic model must hold.
const legacySubtasks =
  'SELECT task_id, parent_task_id, title, specialist_type, status, created_at FROM subtasks';
const migratedSubtasks = `
  SELECT task_id, attributes->>'legacy_parent_task_id', attributes->>'title', attributes->>'specialist_type', status, created_at
  FROM generic_tasks WHERE task_type = 'specialist_task'`;
// Seed 000's regrouping: each implementer of a very complex breakdown gets a feature of its own.
const expectedFeatures = `
  SELECT count(*)::int AS n FROM subtasks AS s JOIN task_breakdowns AS b USING (parent_task_id)
  WHERE b.complexity = 'very_complex' AND s.specialist_type = 'implementer'`;
const legacyDependencyPairs = `
  SELECT DISTINCT s.task_id, d.dep
  FROM subtasks AS s, jsonb_array_elements_text(coalesce(s.dependencies, '[]'::jsonb)) AS d(dep)
  WHERE d.dep IN (SELECT task_id FROM subtasks)`;
const expectedTaskCount = `
  SELECT (SELECT count(*) FROM task_breakdowns)::int + (SELECT count(*) FROM subtasks)::int
       + (SELECT count(DISTINCT parent_task_id) FROM subtasks
          WHERE parent_task_id NOT IN (SELECT parent_task_id FROM task_breakdowns))::int AS n`;

// The runbook's story on the embedded database is its rehearsal (tests/time/rehearse.test.ts).
describe.each([storyKind])('generic-task-model on %s', (kind) => {
  let db: DemoDatabase | undefined;
  let scratch: ScratchDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    await scratch?.drop();
    db = undefined;
    scratch = undefined;
  });

  it('builds the task hierarchy and dependency graph, then rolls back to the exact starting point', async () => {
    const stateDir = tempStateDir('rb-generic-');
    db = await createDemoDatabase(kind, runbook, stateDir, { demo_rows: '3000' });
    await db.session(addRealSchemaObjects);
    const before = await db.session(async (query) => ({
      state: await captureState(query),
      breakdowns: await digest(query, 'SELECT * FROM task_breakdowns'),
      subtasks: await digest(query, 'SELECT * FROM subtasks'),
      migratedSubtasks: await digest(query, legacySubtasks),
      dependencies: await digest(query, legacyDependencyPairs),
      tasks: (await query<{ n: number }>(expectedTaskCount))[0].n,
      subtaskCount: (await query<{ n: number }>('SELECT count(*)::int AS n FROM subtasks'))[0].n,
      features: (await query<{ n: number }>(expectedFeatures))[0].n,
      orphans: (
        await query<{ n: number }>(
          'SELECT count(*)::int AS n FROM subtasks WHERE parent_task_id NOT IN (SELECT parent_task_id FROM task_breakdowns)',
        )
      )[0].n,
    }));
    expect(before.orphans).toBeGreaterThan(0);
    expect(before.features).toBeGreaterThan(0);

    // On a server the pg_dump backup is proven by a restore into a scratch database.
    scratch = kind === 'postgres' ? await createScratchDatabase('rb_restore_check') : undefined;
    const restoreCheck = scratch ? ['--var', `restore_check_url=${scratch.url}`] : [];
    // The performance check's budget is the operator's; this story is not about the machine's speed.
    const run = await runCli(['run', runbook, '--yes', '--plain', '--var', `backup_dir=${stateDir}`, '--var', 'max_query_ms=600000', ...restoreCheck, ...databaseVar(db)], {
      stateDir,
      env: db.env,
    });
    expect(run.exitCode, run.all).toBe(0);
    const { state } = onlyRun(stateDir);
    expect(stepsByStatus(state)).toEqual({ succeeded: state.order });
    if (scratch) {
      const dumpLog = (await runCli(['log', state.runId, 'dump'], { stateDir })).stdout;
      expect(dumpLog).toContain(`restored public.subtasks into the scratch database: ${before.subtaskCount} rows`);
      expect(dumpLog).not.toContain(scratch.url);
    }
    // The sign-off sheet keeps the row counts of every backup copy.
    const report = (await runCli(['report', state.runId], { stateDir })).stdout;
    expect(report).toContain(
      `backup-row-counts: row table_name = subtasks, source_rows = ${before.subtaskCount}, backup_rows = ${before.subtaskCount}, differences = 0`,
    );

    await db.session(async (query) => {
      expect(await digest(query, 'SELECT * FROM task_breakdowns')).toEqual(before.breakdowns);
      expect(await digest(query, 'SELECT * FROM subtasks')).toEqual(before.subtasks);
      expect(await digest(query, migratedSubtasks)).toEqual(before.migratedSubtasks);
      expect(
        await digest(query, 'SELECT dependent_task_id, dependency_task_id FROM task_dependencies'),
      ).toEqual(before.dependencies);
      const [counts] = await query<{ tasks: number; features: number; model: string }>(
        `SELECT (SELECT count(*)::int FROM generic_tasks WHERE task_type <> 'feature') AS tasks,
                (SELECT count(*)::int FROM generic_tasks AS f JOIN generic_tasks AS t ON t.parent_task_id = f.task_id
                 WHERE f.task_type = 'feature' AND t.attributes->>'specialist_type' = 'implementer') AS features,
                (SELECT value FROM orchestrator_settings WHERE key = 'task_model') AS model`,
      );
      expect(counts).toEqual({ tasks: before.tasks, features: before.features, model: 'generic' });
    });

    const rollback = await runCli(['rollback', '--yes', '--plain'], { stateDir, env: db.env });
    expect(rollback.exitCode, rollback.all).toBe(0);
    expect(diffDatabaseStates(before.state, await db.session(captureState))).toEqual([]);
  }, runbookTimeout);
});
