import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/errors/stepwise-error.js';
import { openConnections } from '../../src/db/open-connections.js';
import { redactUrl } from '../../src/db/redact-url.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testDatabaseUrl } from '../helpers/scratch-database.js';

const stateDir = () => mkdtempSync(join(tmpdir(), 'stepwise-conn-'));

describe('opening the connections of a runbook', () => {
  it('rehearses on PGlite under the state dir when the URL variable is unset', async () => {
    const dir = stateDir();
    const connections = await openConnections({
      connections: { app: { url: { env: 'APP_URL' }, embedded: 'demo', production: true } },
      stateDir: dir,
      env: {},
    });
    try {
      expect(connections.app).toMatchObject({
        name: 'app',
        driver: 'pglite',
        target: `pglite:${join(dir, 'pglite', 'demo')}`,
      });
      expect((await connections.app.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    } finally {
      await connections.app.close();
    }
  });

  it('tells the operator which variable to set when there is neither a URL nor an embedded database', async () => {
    const attempt = openConnections({
      connections: { app: { url: { env: 'APP_DATABASE_URL' } } },
      stateDir: stateDir(),
      env: { APP_DATABASE_URL: '' },
    });
    await expect(attempt).rejects.toThrow(StepwiseError);
    await expect(attempt).rejects.toMatchObject({ kind: 'usage' });
    await expect(attempt).rejects.toThrow(/set APP_DATABASE_URL/);
  });

  it('names the server it could not reach without showing the password', async () => {
    const attempt = openConnections({
      connections: { app: { url: { env: 'DATABASE_URL' } } },
      stateDir: stateDir(),
      env: { DATABASE_URL: 'postgres://app:s3cret-pw@127.0.0.1:1/app' },
    });
    const error = await attempt.catch((e: StepwiseError) => e);
    expect(error).toBeInstanceOf(StepwiseError);
    expect(error.message).toContain('cannot connect to app at postgres://app@127.0.0.1:1/app');
    expect(error.message).toContain('check DATABASE_URL');
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('redacts targets: user, host, port and database, never the password or query string', () => {
    expect(redactUrl('postgres://app:pw@db-prod:6432/app?sslmode=require&password=x')).toBe(
      'postgres://app@db-prod:6432/app',
    );
    expect(redactUrl('postgresql://alice:p%40ss@db/sales')).toBe('postgresql://alice@db:5432/sales');
    expect(redactUrl('postgres://bob@/bob?host=/var/run/postgresql')).toBe('postgres://bob@/bob');
    expect(redactUrl('postgres://carol:pw@h1:5432,h2:5432/app?target_session_attrs=rw')).toBe(
      'postgres://carol@h1:5432,h2:5432/app',
    );
  });

  it.skipIf(!testDatabaseUrl)(
    'opens PostgreSQL from the URL variable and shows a redacted target',
    async () => {
      const url = new URL(testDatabaseUrl!);
      url.password = 'not-shown';
      const connections = await openConnections({
        connections: {
          app: { url: { env: 'DATABASE_URL' }, embedded: 'demo' },
          same: { url: { env: 'DATABASE_URL' } },
        },
        stateDir: stateDir(),
        env: { DATABASE_URL: url.toString() },
        applicationName: 'stepwise conn-test',
      });
      try {
        expect(connections.app.driver).toBe('postgres');
        expect(connections.app.target).toBe(redactUrl(testDatabaseUrl!));
        expect(connections.app.target).not.toContain('not-shown');
        const { rows } = await connections.same.query<{ name: string }>(
          "SELECT current_setting('application_name') AS name",
        );
        expect(rows[0].name).toBe('stepwise conn-test');
        // Closing one of two connections on the same URL leaves the shared client to the other.
        await connections.same.close();
        expect((await connections.app.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await connections.app.close();
      }
    },
  );
});

describe.each(databaseKinds)('a connection on %s', (kind) => {
  describe.skipIf(noServer(kind))('', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await openTestDatabase(kind);
    });
    afterAll(async () => {
      await db?.close();
    });

    it('returns the same JS types as the other driver', async () => {
      const { rows } = await db.conn.query(
        `SELECT 1::int4 AS i4, 2::int2 AS i2, 9007199254740993::int8 AS i8, count(*) AS n, 1.50::numeric AS num,
                1.5::float8 AS f8, true AS b, '{"a":[1]}'::jsonb AS j, 'x'::text AS t, NULL::int AS nothing,
                '2026-11-23 02:00:00+00'::timestamptz AT TIME ZONE 'UTC' AS ts, '2026-11-23'::date AS d`,
      );
      expect(rows[0]).toEqual({
        i4: 1,
        i2: 2,
        i8: '9007199254740993',
        n: '1',
        num: '1.50',
        f8: 1.5,
        b: true,
        j: { a: [1] },
        t: 'x',
        nothing: null,
        ts: '2026-11-23 02:00:00',
        d: '2026-11-23',
      });
    });

    it('counts affected rows for INSERT, UPDATE and DELETE and returned rows for SELECT', async () => {
      await db.conn.query('CREATE TABLE counted (id int)');
      expect(await db.conn.query('INSERT INTO counted SELECT generate_series(1, 7)')).toMatchObject({
        rowCount: 7,
        command: 'INSERT',
      });
      expect((await db.conn.query('UPDATE counted SET id = id + 1 WHERE id > $1', [4])).rowCount).toBe(3);
      expect((await db.conn.query('SELECT * FROM counted WHERE id < $1', [3])).rowCount).toBe(2);
      expect((await db.conn.query('DELETE FROM counted')).rowCount).toBe(7);
    });

    it('runs a transaction bound to one session and rolls it back when the work throws', async () => {
      await db.conn.query('CREATE TABLE tx_items (id int)');
      await expect(
        db.conn.transaction(async (tx) => {
          await tx.query('INSERT INTO tx_items VALUES (1)');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect((await db.conn.query('SELECT * FROM tx_items')).rows).toEqual([]);
      const level = await db.conn.transaction(
        async (tx) =>
          (await tx.query<{ l: string }>("SELECT current_setting('transaction_isolation') AS l")).rows[0].l,
        { isolation: 'repeatable read', readOnly: true },
      );
      expect(level).toBe('repeatable read');
      await expect(
        db.conn.transaction((tx) => tx.query('INSERT INTO tx_items VALUES (2)'), { readOnly: true }),
      ).rejects.toThrow(/read-only/);
    });

    it('gives a session of its own whose settings do not leak into later queries', async () => {
      const inside = await db.conn.withSession(async (s) => {
        await s.query("SET lock_timeout = '1234ms'");
        return (await s.query<{ v: string }>("SELECT current_setting('lock_timeout') AS v")).rows[0].v;
      });
      expect(inside).toBe('1234ms');
      for (let i = 0; i < 4; i++) {
        const { rows } = await db.conn.query<{ v: string }>("SELECT current_setting('lock_timeout') AS v");
        expect(rows[0].v).toBe('0');
      }
    });
  });
});
