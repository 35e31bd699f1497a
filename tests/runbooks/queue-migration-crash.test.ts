import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/journal/events.js';
import { markInterrupted } from '../../src/journal/reducer.js';
import { killRun, runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { targetKinds } from '../helpers/targets.js';
import { createDemoDatabase, databaseVar, type DemoDatabase, digest } from './demo-database.js';
import { onlyRun, runbookTimeout, stepsByStatus } from './run-journal.js';

const runbook = 'runbooks/queue-migration/runbook.yaml';
// The first batch is small; after it the batch grows to about 500 ms of work, so the kill
// after the first committed batch lands well inside the backfill of 60,000 rows.
const runVars = ['--var', 'heartbeat_grace=1 second', '--var', 'batch_size=50'];

const legacyAsQueue = `
  SELECT id, task_type AS kind, coalesce(payload, '{}'::jsonb) AS payload, priority, attempts, created_at
  FROM background_tasks`;
const queueRows = `
  SELECT id, kind, payload, priority, attempts, created_at FROM task_queue WHERE kind <> 'stepwise.canary'`;

function committedBatches(events: JournalEvent[]): Extract<JournalEvent, { type: 'batch.committed' }>[] {
  return events.filter(
    (e): e is Extract<JournalEvent, { type: 'batch.committed' }> => e.type === 'batch.committed',
  );
}

describe.each(targetKinds)('queue-migration killed during dual-write on %s', (kind) => {
  let db: DemoDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('resumes after kill -9 in the backfill and copies every task exactly once', async () => {
    const stateDir = tempStateDir('rb-queue-crash-');
    db = await createDemoDatabase(kind, runbook, stateDir, { demo_rows: '60000' });
    const expected = await db.session((query) => digest(query, legacyAsQueue));

    const child = startCli(['run', runbook, '--yes', '--plain', ...runVars, '--var', `backup_dir=${stateDir}`, ...databaseVar(db)], { stateDir, env: db.env });
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`the run ended before the backfill:\n${(await child).all}`);
      const batches = (() => {
        try {
          return committedBatches(onlyRun(stateDir).events);
        } catch {
          return [];
        }
      })();
      if (batches.length >= 1) break;
      await sleep(10);
    }
    await killRun(child, stateDir);
    const killed = markInterrupted(onlyRun(stateDir).state);
    expect(killed.steps['backfill-queue'].status).toBe('interrupted');

    const resumed = await runCli(['resume', '--yes', '--plain', ...runVars.slice(0, 2)], {
      stateDir,
      env: db.env,
    });
    // The copy finished; the run now waits at the 24-hour watch of dual-write.
    expect(resumed.exitCode, resumed.all).toBe(3);
    expect(resumed.all).toContain('monitor-dual-write is soaking until');
    const { events, state } = onlyRun(stateDir);
    const soak = state.order.indexOf('monitor-dual-write');
    expect(stepsByStatus(state)).toEqual({
      succeeded: state.order.slice(0, soak),
      soaking: ['monitor-dual-write'],
      pending: state.order.slice(soak + 1),
    });

    // Exactly-once: the committed key ranges follow each other without overlap or gap.
    const ranges = committedBatches(events).filter((e) => e.step === 'backfill-queue');
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].lo).toEqual(ranges[i - 1].hi);
    await db.session(async (query) => {
      expect(await digest(query, queueRows)).toEqual(expected);
      const [canaries] = await query<{ n: number }>(
        "SELECT count(*)::int AS n FROM background_tasks WHERE task_type = 'stepwise.canary'",
      );
      expect(canaries.n).toBe(1);
    });
  }, runbookTimeout);
});
