import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlExecutor } from '../../src/engine/executors/sql.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { type ExecContextOptions, makeExecContext } from '../helpers/exec-context.js';

describe.each(databaseKinds)('sql steps on %s', (kind) => {
  describe.skipIf(noServer(kind))('', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await openTestDatabase(kind, { name: 'app' });
    });
    afterAll(async () => {
      await db?.close();
    });
    const context = (options: ExecContextOptions = {}) =>
      makeExecContext({ connections: { app: db.conn }, ...options });
    const tables = async () =>
      (
        await db.conn.query<{ t: string }>(
          "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
        )
      ).rows.map((r) => r.t);

    it('runs a file of several statements, a $$ function body among them, in one transaction', async () => {
      const file = `
        CREATE TABLE sq_tasks (id int PRIMARY KEY, status text NOT NULL);
        CREATE FUNCTION sq_touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          NEW.status := upper(NEW.status); -- a ; inside the body
          RETURN NEW;
        END;
        $$;
        CREATE TRIGGER sq_touch BEFORE INSERT ON sq_tasks FOR EACH ROW EXECUTE FUNCTION sq_touch();
        INSERT INTO sq_tasks SELECT g, 'queued;' FROM generate_series(1, 40) g;
        UPDATE sq_tasks SET status = 'done' WHERE id <= 10;
      `;
      const { ctx } = context({ files: { 'sql/create.sql': file } });
      const result = await sqlExecutor({ conn: 'app', file: 'sql/create.sql' }, ctx);
      expect(result).toMatchObject({ ok: true, rows: 50, summary: '5 statements, 50 rows affected' });
      const { rows } = await db.conn.query<{ status: string; n: string }>(
        'SELECT status, count(*) AS n FROM sq_tasks GROUP BY status ORDER BY status',
      );
      expect(rows).toEqual([
        { status: 'QUEUED;', n: '30' },
        { status: 'done', n: '10' },
      ]);
    });

    it('counts the rows a backup copy (CREATE TABLE … AS) wrote, into another schema too', async () => {
      await db.conn.query('CREATE TABLE sq_source AS SELECT g AS id FROM generate_series(1, 25) g');
      const { ctx } = context();
      const result = await sqlExecutor(
        'CREATE SCHEMA "sq backup"; CREATE TABLE "sq backup".sq_source AS TABLE sq_source; ' +
          'CREATE TABLE sq_empty AS SELECT * FROM sq_source WITH NO DATA',
        ctx,
      );
      expect(result).toMatchObject({ ok: true, rows: 25, summary: '3 statements, 25 rows affected' });
    });

    it('rolls everything back when a later statement fails, and says which one', async () => {
      const { ctx } = context();
      const result = await sqlExecutor(
        'CREATE TABLE sq_half (id int); INSERT INTO sq_half VALUES (1); INSERT INTO sq_missing VALUES (1)',
        ctx,
      );
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(
        /^statement 3 of 3 \(INSERT INTO sq_missing VALUES \(1\)\) failed: .*sq_missing.*does not exist/,
      );
      expect(result.error).toContain('the transaction was rolled back, nothing was applied');
      expect(await tables()).not.toContain('sq_half');
    });

    it('aborts and rolls back when more rows are affected than rows.max allows', async () => {
      await db.conn.query('CREATE TABLE sq_guarded (id int)');
      await db.conn.query('INSERT INTO sq_guarded SELECT generate_series(1, 1200)');
      const { ctx } = context();
      const result = await sqlExecutor(
        { text: 'DELETE FROM sq_guarded WHERE id > 0', rows: { max: 1000 } },
        ctx,
      );
      expect(result).toMatchObject({
        ok: false,
        rows: 1200,
        error: 'affected 1200 rows, more than rows.max 1000; the transaction was rolled back',
      });
      expect((await db.conn.query('SELECT 1 FROM sq_guarded')).rowCount).toBe(1200);

      const exact = await sqlExecutor(
        { text: 'DELETE FROM sq_guarded WHERE id <= 50', rows: { exactly: 49 } },
        ctx,
      );
      expect(exact.error).toBe('affected 50 rows, not rows.exactly 49; the transaction was rolled back');
      const few = await sqlExecutor({ text: 'DELETE FROM sq_guarded WHERE id <= 5', rows: { min: 10 } }, ctx);
      expect(few.error).toBe('affected 5 rows, fewer than rows.min 10; the transaction was rolled back');
      expect((await db.conn.query('SELECT 1 FROM sq_guarded')).rowCount).toBe(1200);

      const fits = await sqlExecutor(
        { text: 'DELETE FROM sq_guarded WHERE id <= 50', rows: { max: 50, min: 50 } },
        ctx,
      );
      expect(fits).toMatchObject({ ok: true, rows: 50 });
    });

    it('with transaction: false, runs statements one by one on one session and keeps those that ran', async () => {
      const { ctx } = context();
      const result = await sqlExecutor(
        {
          transaction: false,
          text: `SET lock_timeout = '2s';
                 CREATE TABLE sq_loose (id int, lt text);
                 INSERT INTO sq_loose VALUES (1, current_setting('lock_timeout'));
                 VACUUM sq_loose;
                 INSERT INTO sq_loose VALUES ('not a number')`,
        },
        ctx,
      );
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/^statement 5 of 5 .* failed: /);
      expect(result.error).toContain('the statements before it stay applied (transaction: false)');
      expect((await db.conn.query('SELECT id, lt FROM sq_loose')).rows).toEqual([{ id: 1, lt: '2s' }]);
      // The session's settings went back to the defaults with it.
      expect((await db.conn.query("SELECT current_setting('lock_timeout') AS v")).rows).toEqual([{ v: '0' }]);
    });

    it('tells the operator to use transaction: false for statements that cannot run in a transaction', async () => {
      await db.conn.query('CREATE TABLE sq_indexed (id int)');
      const { ctx } = context();
      const result = await sqlExecutor('CREATE INDEX CONCURRENTLY sq_indexed_id ON sq_indexed (id)', ctx);
      expect(result.error).toMatch(
        /CONCURRENTLY cannot run inside a transaction block.*give this step transaction: false$/,
      );
      const loose = await sqlExecutor(
        { text: 'CREATE INDEX CONCURRENTLY sq_indexed_id ON sq_indexed (id)', transaction: false },
        ctx,
      );
      expect(loose).toMatchObject({ ok: true, summary: '1 statement, 0 rows affected' });
    });

    it('carries a value holding SQL as a bound parameter, never as SQL', async () => {
      await db.conn.query('CREATE TABLE sq_victims (v text)');
      const values = { quote: "'; DROP TABLE sq_victims; --", subst: '$(touch /tmp/sq-pwned)', tick: '`id`' };
      const { ctx } = context({ vars: values });
      const result = await sqlExecutor('INSERT INTO sq_victims VALUES (:quote), (:subst), (:tick)', ctx);
      expect(result).toMatchObject({ ok: true, rows: 3 });
      const { rows } = await db.conn.query<{ v: string }>('SELECT v FROM sq_victims ORDER BY v');
      expect(rows.map((r) => r.v).sort()).toEqual(Object.values(values).sort());
      expect(await tables()).toContain('sq_victims');
    });

    it('stops before the first statement when a value is missing', async () => {
      const { ctx } = context();
      await expect(
        sqlExecutor('CREATE TABLE sq_never (id int); INSERT INTO sq_never VALUES (:nope)', ctx),
      ).rejects.toThrow(/:nope has no value/);
      expect(await tables()).not.toContain('sq_never');
    });

    it.skipIf(kind === 'pglite')(
      "gives the server the step's timeout, so a statement ends there even when stepwise is gone",
      async () => {
        const { ctx } = context();
        ctx.step = { ...ctx.step, timeout: '90s' };
        await sqlExecutor("CREATE TABLE sq_limit AS SELECT current_setting('statement_timeout') AS t", ctx);
        await sqlExecutor({ text: "INSERT INTO sq_limit SELECT current_setting('statement_timeout')", transaction: false }, ctx);
        ctx.step = { ...ctx.step, timeout: undefined };
        await sqlExecutor("INSERT INTO sq_limit SELECT current_setting('statement_timeout')", ctx);
        const { rows } = await db.conn.query<{ t: string }>('SELECT t FROM sq_limit');
        expect(rows.map((r) => r.t)).toEqual(['90s', '90s', '1h']);
      },
    );

    it.skipIf(kind === 'pglite')('names the session holding the lock when a statement gives up waiting for it', async () => {
      await db.conn.query('CREATE TABLE sq_locked (id int)');
      const { ctx } = context();
      const result = await db.conn.transaction(async (tx) => {
        await tx.query('LOCK TABLE sq_locked IN ACCESS EXCLUSIVE MODE');
        return sqlExecutor("SET LOCAL lock_timeout = '3s'; INSERT INTO sq_locked VALUES (1)", ctx);
      });
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(
        /lock timeout; the lock is held by server pid \d+, .*its statement since .*: LOCK TABLE sq_locked IN ACCESS EXCLUSIVE MODE; the transaction was rolled back/,
      );
    });

    it('when cancelled, rolls back what the step did', async () => {
      await db.conn.query('CREATE TABLE sq_cancel (id int)');
      const { ctx, abort } = context();
      const sleepSql = kind === 'postgres' ? 'SELECT pg_sleep(30)' : 'SELECT pg_sleep(0.3)';
      const running = sqlExecutor(
        `INSERT INTO sq_cancel VALUES (1); ${sleepSql}; INSERT INTO sq_cancel VALUES (2)`,
        ctx,
      );
      setTimeout(() => abort(new Error('cancelled by the operator')), 100);
      const started = Date.now();
      await expect(running).rejects.toThrow('cancelled by the operator');
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await db.conn.query('SELECT * FROM sq_cancel')).rows).toEqual([]);
    });
  });
});
