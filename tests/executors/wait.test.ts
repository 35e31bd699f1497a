import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitExecutor } from '../../src/engine/executors/wait.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { makeExecContext } from '../helpers/exec-context.js';

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
      const { ctx, output, progress } = makeExecContext({ connections: { app: db.conn } });
      setTimeout(() => void db.conn.query("UPDATE wt_tasks SET status = 'done' WHERE id = 1"), 150);
      setTimeout(() => void db.conn.query("UPDATE wt_tasks SET status = 'done'"), 400);
      const result = await waitExecutor(
        { conn: 'app', sql, until: { n: 0 }, every: '50ms', timeout: '10s' },
        ctx,
      );
      expect(result.ok).toBe(true);
      expect(result.summary).toMatch(/^n = 0 after \d+ polls \(\d+s\)$/);
      const lines = output().trim().split('\n');
      expect(lines[0]).toBe('poll 1: n = 2, waiting for n = 0');
      expect(lines.filter((l) => /^poll \d+: n = 1, waiting for n = 0$/.test(l)).length).toBeGreaterThan(0);
      expect(lines.at(-1)).toMatch(/^poll \d+: n = 0$/);
      expect(progress).toEqual(lines);
    });

    it('fails at the timeout with the last value it saw', async () => {
      await db.conn.query('INSERT INTO wt_tasks (id) VALUES (3)');
      const { ctx } = makeExecContext({ connections: { app: db.conn } });
      const started = Date.now();
      const result = await waitExecutor({ sql, until: { n: 0 }, every: '100ms', timeout: '350ms' }, ctx);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(
        /^timed out after 350ms waiting for n = 0: n = 1 at the last of [45] polls$/,
      );
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

    const cancelled = makeExecContext();
    setTimeout(() => cancelled.abort(new Error('cancelled by the operator')), 200);
    await expect(
      waitExecutor(
        { run: { shell: 'echo not yet' }, until: { stdout: 'ready' }, every: '50ms' },
        cancelled.ctx,
      ),
    ).rejects.toThrow('cancelled by the operator');
    expect(cancelled.output()).toContain(
      "poll 1: exit = 0, stdout = 'no match', waiting for exit = 0, stdout = '/ready/'",
    );
  });

  it('refuses an until that does not speak of a command', async () => {
    const { ctx } = makeExecContext();
    await expect(waitExecutor({ run: ['true'], until: { n: 0 } }, ctx)).rejects.toThrow(/until: \{ exit/);
  });
});
