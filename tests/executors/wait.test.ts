import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitExecutor } from '../../src/engine/executors/wait.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { makeExecContext } from '../helpers/exec-context.js';
import { ManualClock } from '../helpers/manual-clock.js';

describe.each(databaseKinds)('waiting on %s', (kind) => {
  describe.skipIf(noServer(kind))('', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await openTestDatabase(kind, { name: 'app' });
      await db.conn.query("CREATE TABLE wt_tasks (id int, status text DEFAULT 'running')");
    });
    afterAll(async () => {
      await db?.close();
    });
    const sql = "SELECT count(*)::int AS n FROM wt_tasks WHERE status = 'running'";

    it('polls until the workers drain, reporting each poll', async () => {
      await db.conn.query('INSERT INTO wt_tasks (id) VALUES (1), (2)');
      const clock = new ManualClock();
      const { ctx, output, progress } = makeExecContext({ connections: { app: db.conn }, clock });
      const waiting = waitExecutor({ conn: 'app', sql, until: { n: 0 }, every: '50ms', timeout: '10s' }, ctx);
      await clock.sleeping();
      await db.conn.query("UPDATE wt_tasks SET status = 'done' WHERE id = 1");
      clock.advance(50);
      await clock.sleeping();
      await db.conn.query("UPDATE wt_tasks SET status = 'done'");
      clock.advance(1_950);
      const result = await waiting;
      expect(result).toMatchObject({ ok: true, summary: 'n = 0 after 3 polls (2s)' });
      expect(output()).toBe(
        'poll 1: n = 2, waiting for n = 0\npoll 2: n = 1, waiting for n = 0\npoll 3: n = 0\n',
      );
      expect(progress).toEqual(output().trim().split('\n'));
    });

    it('fails at the timeout with the last value it saw', async () => {
      await db.conn.query('INSERT INTO wt_tasks (id) VALUES (3)');
      const clock = new ManualClock();
      const { ctx } = makeExecContext({ connections: { app: db.conn }, clock });
      const waiting = waitExecutor({ sql, until: { n: 0 }, every: '100ms', timeout: '350ms' }, ctx);
      // Polls at 0, 100, 200 and 300 ms, and a last one at the deadline.
      for (let poll = 1; poll <= 4; poll++) {
        await clock.sleeping();
        clock.advance(100);
      }
      const result = await waiting;
      expect(result.ok).toBe(false);
      expect(result.error).toBe('timed out after 350ms waiting for n = 0: n = 1 at the last of 5 polls');
      expect(result.details).toMatchObject({ expected: { n: 0 }, actual: { n: 1 } });
      await db.conn.query('DELETE FROM wt_tasks');
    });
  });
});

describe('waiting on a command', () => {
  it('polls until it exits as expected, and stops when cancelled', async () => {
    const { ctx, output } = makeExecContext();
    const result = await waitExecutor({ run: ['true'], until: { exit: 0 }, every: '10ms' }, ctx);
    expect(result).toMatchObject({ ok: true });
    expect(output()).toBe('poll 1: exit = 0\n');

    const clock = new ManualClock();
    const cancelled = makeExecContext({ clock });
    const waiting = waitExecutor(
      { run: { shell: 'echo not yet' }, until: { stdout: 'ready' }, every: '50ms' },
      cancelled.ctx,
    );
    await clock.sleeping();
    cancelled.abort(new Error('cancelled by the operator'));
    await expect(waiting).rejects.toThrow('cancelled by the operator');
    expect(cancelled.output()).toContain(
      "poll 1: exit = 0, stdout = 'no match', waiting for exit = 0, stdout = '/ready/'\n",
    );
    expect(cancelled.output()).not.toContain('poll 2');
  });

  it('refuses an until that does not speak of a command', async () => {
    const { ctx } = makeExecContext();
    await expect(waitExecutor({ run: ['true'], until: { n: 0 } }, ctx)).rejects.toThrow(/until: \{ exit/);
  });
});
