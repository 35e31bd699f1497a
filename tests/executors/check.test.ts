import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/errors/stepwise-error.js';
import { evaluateCheck } from '../../src/engine/evaluate-check.js';
import { executeAction } from '../../src/engine/executors/execute-action.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { makeExecContext } from '../helpers/exec-context.js';

describe.each(databaseKinds)('checks on %s', (kind) => {
  describe.skipIf(noServer(kind))('', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await openTestDatabase(kind, { name: 'app' });
      await db.conn.query('CREATE TABLE ck_subtasks (id int, parent_id int)');
      await db.conn.query('INSERT INTO ck_subtasks VALUES (1, 10), (2, 10), (3, NULL)');
    });
    afterAll(async () => {
      await db?.close();
    });
    const context = (vars = {}) => makeExecContext({ connections: { app: db.conn }, vars }).ctx;

    it('passes when the first row holds what expect says, count(*) included', async () => {
      const result = await evaluateCheck(
        { sql: 'SELECT count(*) AS n FROM ck_subtasks WHERE parent_id = :parent', expect: { n: 2 } },
        context({ parent: 10 }),
      );
      expect(result).toEqual({
        ok: true,
        summary: 'n = 2',
        details: { expected: { n: 2 }, actual: { n: '2' }, failures: [], rows: [{ n: '2' }], row_count: 1 },
      });
    });

    it('shows expected against actual when it fails', async () => {
      const result = await evaluateCheck(
        {
          conn: 'app',
          sql: 'SELECT count(*) AS n, max(id) AS last FROM ck_subtasks WHERE parent_id IS NULL',
          expect: { n: 0, last: { lt: 5 } },
        },
        context(),
      );
      expect(result).toEqual({
        ok: false,
        error: 'n = 1, expected 0',
        details: {
          expected: { n: 0, last: { lt: 5 } },
          actual: { n: '1', last: 3 },
          failures: ['n = 1, expected 0'],
          rows: [{ n: '1', last: 3 }],
          row_count: 1,
        },
      });
    });

    it('fills variables into expected values', async () => {
      const result = await evaluateCheck(
        { sql: 'SELECT count(*) AS n FROM ck_subtasks', expect: { n: '{{ vars.total }}', rows: 1 } },
        context({ total: 3 }),
      );
      expect(result).toMatchObject({ ok: true, summary: 'n = 3, rows = 1' });
    });

    it('changes nothing: a check runs read-only', async () => {
      await expect(
        evaluateCheck({ sql: 'DELETE FROM ck_subtasks RETURNING id', expect: { rows: 0 } }, context()),
      ).rejects.toThrow(/read-only transaction/);
      expect((await db.conn.query('SELECT 1 FROM ck_subtasks')).rowCount).toBe(3);
    });
  });
});

describe('a check that runs a command', () => {
  it('judges by exit code and output, with expected and actual', async () => {
    const { ctx } = makeExecContext();
    expect(
      await evaluateCheck({ run: ['sh', '-c', 'echo replication ok'], expect: { stdout: 'ok$' } }, ctx),
    ).toMatchObject({
      ok: true,
    });
    const failed = await evaluateCheck(
      { run: { shell: 'echo lag 30s; exit 2' }, expect: { exit: [0] } },
      ctx,
    );
    expect(failed).toMatchObject({
      ok: false,
      error: 'exit 2, expected 0',
      details: { expected: { exit: [0] }, actual: { exit: 2 } },
    });
  });
});

describe('executing a step action', () => {
  it('refuses to execute a manual step: the operator signs it off', async () => {
    const attempt = executeAction({ kind: 'manual', body: 'Flip the feature flag' }, makeExecContext({}).ctx);
    await expect(attempt).rejects.toThrow(StepwiseError);
    await expect(attempt).rejects.toThrow(/signed off by the operator/);
  });
});
