import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DbConnection } from '../../src/db/connection.js';
import { evaluateCheck } from '../../src/engine/evaluate-check.js';
import { compareExecutor } from '../../src/engine/executors/compare.js';
import type { CompareBody } from '../../src/runbook/schema.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { makeExecContext } from '../helpers/exec-context.js';
import { storyKind } from '../helpers/targets.js';

const rowCount = 100_000;
const columns =
  'id int PRIMARY KEY, payload text, status text, amount numeric(12,2), created_at timestamptz, note text';
const fill = `SELECT g, 'payload ' || g, (ARRAY['queued','running','done'])[g % 3 + 1], g / 100.0,
  timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second', CASE WHEN g % 10 = 0 THEN NULL ELSE 'n' || g END
  FROM generate_series(1, ${rowCount}) g`;

const body = (extra: Partial<CompareBody> = {}): CompareBody => ({
  left: { table: 'cmp_left', key: 'id' },
  right: { table: 'cmp_right', key: 'id' },
  recheck_after: '10ms',
  ...extra,
});

// Stories of the comparison itself (chunks, passes, the keys listed, the recheck) run the same SQL
// on either database: once, on storyKind. The embedded database keeps those about its own values,
// queries and errors.
describe.each(databaseKinds)('compare on %s', (kind) => {
  describe.skipIf(noServer(kind))('', () => {
    let db: TestDatabase;
    let conn: DbConnection;

    beforeAll(async () => {
      db = await openTestDatabase(kind, { name: 'app' });
      conn = db.conn;
      await conn.query(`CREATE TABLE cmp_left (${columns})`);
      await conn.query(`INSERT INTO cmp_left ${fill}`);
    });
    afterAll(async () => {
      await db.close();
    });
    beforeEach(async () => {
      await conn.query('DROP TABLE IF EXISTS cmp_right');
      await conn.query(`CREATE TABLE cmp_right (${columns})`);
      await conn.query('INSERT INTO cmp_right SELECT * FROM cmp_left');
    });

    const compare = async (b: CompareBody = body(), onOutput?: (line: string) => void) => {
      const t = makeExecContext({ connections: { app: conn } });
      if (onOutput) {
        const output = t.ctx.output;
        t.ctx.output = (line) => {
          output(line);
          onOutput(line);
        };
      }
      return { result: await compareExecutor(b, t.ctx), output: t.output() };
    };

    it('reports no difference for equal tables', async () => {
      const { result } = await compare();
      expect(result).toMatchObject({
        ok: true,
        rows: rowCount,
        summary: 'equal: 100,000 rows on both sides, 10 chunks fingerprinted',
      });
    });

    it.runIf(kind === storyKind)('finds a single changed row among 100,000', async () => {
      await conn.query("UPDATE cmp_right SET status = 'failed' WHERE id = 54321");
      const { result, output } = await compare();
      expect(result.ok).toBe(false);
      expect(result.details).toMatchObject({
        different: { count: 1, first: ['54321'] },
        missing_left: { count: 0 },
        missing_right: { count: 0 },
        ranges: [{ lo: '50000', hi: '60000' }],
      });
      expect(result.summary).toBe(
        'differ: 1 changed, 0 missing on the right, 0 missing on the left (left 100,000 rows, right 100,000 rows)',
      );
      expect(output).toContain('changed keys (1): 54321');
      expect(result.error).toContain('changed keys (1): 54321');
    });

    it.runIf(kind === storyKind)('finds a row missing on each side, the first and the last', async () => {
      await conn.query('DELETE FROM cmp_right WHERE id IN (1, 777)');
      await conn.query(`INSERT INTO cmp_right VALUES (${rowCount + 5}, 'extra', 'done', 1, now(), NULL)`);
      const { result, output } = await compare();
      expect(result.details).toMatchObject({
        left: { rows: rowCount },
        right: { rows: rowCount - 1 },
        missing_right: { count: 2, first: ['1', '777'] },
        missing_left: { count: 1, first: [String(rowCount + 5)] },
        different: { count: 0 },
      });
      expect(output).toContain('missing on the right (only left has them) (2): 1, 777');
      expect(output).toContain('missing on the left (only right has them) (1): 100005');
    });

    it('tells NULL from the empty string', async () => {
      await conn.query("UPDATE cmp_right SET note = '' WHERE id = 70");
      const { result } = await compare();
      expect(result.details).toMatchObject({ different: { count: 1, first: ['70'] } });
    });

    it.runIf(kind === storyKind)('lists the first 20 keys and counts them all', async () => {
      await conn.query("UPDATE cmp_right SET payload = payload || '!' WHERE id % 1000 = 0 AND id <= 30000");
      const { result, output } = await compare();
      expect(result.details).toMatchObject({ different: { count: 30 } });
      const first = (result.details as { different: { first: string[] } }).different.first;
      expect(first).toEqual(Array.from({ length: 20 }, (_, i) => String((i + 1) * 1000)));
      expect(output).toContain(', … 10 more');
    });

    it.runIf(kind === storyKind)('passes a chunk that differed only by dual-write lag on the recheck', async () => {
      await conn.query("UPDATE cmp_right SET status = 'lagging' WHERE id = 12345");
      const { result, output } = await compare(body({ recheck_after: '200ms' }), (line) => {
        if (line.includes('differs; reading it again'))
          void conn.query(
            'UPDATE cmp_right SET status = (SELECT status FROM cmp_left WHERE id = 12345) WHERE id = 12345',
          );
      });
      expect(output).toContain('chunk 2 (10000, 20000] differs; reading it again in 200 ms');
      expect(result.ok).toBe(true);
    });

    it('compares values, not types: timestamps in UTC, numerics without trailing zeros, json as jsonb', async () => {
      await conn.query(
        "CREATE OR REPLACE VIEW cmp_typed AS SELECT id, amount::numeric(20,6) AS amount, created_at AT TIME ZONE 'UTC' AS created_at, to_json(payload) AS doc FROM cmp_left",
      );
      await conn.query(
        'CREATE OR REPLACE VIEW cmp_plain AS SELECT id, amount, created_at, to_jsonb(payload) AS doc FROM cmp_left',
      );
      const { result } = await compare(
        body({
          left: { table: 'cmp_typed', key: 'id' },
          right: { table: 'cmp_plain', key: 'id' },
          chunk: 50_000,
        }),
      );
      expect(result).toMatchObject({ ok: true, rows: rowCount });
    });

    it('compares a query with a where clause against a table, on chosen columns', async () => {
      await conn.query("UPDATE cmp_right SET note = 'not compared' WHERE id = 5");
      const b = body({
        left: {
          query: 'SELECT id, payload, status FROM cmp_left WHERE id <= :upto',
          key: 'id',
          where: "status <> 'gone'",
        },
        right: { table: 'cmp_right', key: 'id', columns: ['id', 'payload', 'status'], where: 'id <= :upto' },
      });
      const t = makeExecContext({ connections: { app: conn }, vars: { upto: 20_000 } });
      const result = await compareExecutor(b, t.ctx);
      expect(result).toMatchObject({ ok: true, rows: 20_000 });
    });

    it.runIf(kind === storyKind)('compares 100 chunks in passes on a composite key and finds the last row of a pass changed', async () => {
      await conn.query("UPDATE cmp_right SET note = 'edited' WHERE id IN (3, 40000, 59999)");
      await conn.query('DELETE FROM cmp_right WHERE id = 99999');
      const composite = { key: ['status', 'id'] };
      const { result } = await compare(
        body({
          left: { table: 'cmp_left', ...composite },
          right: { table: 'cmp_right', ...composite },
          chunk: 1000,
        }),
      );
      expect(result.details).toMatchObject({
        chunks: 100,
        different: { count: 3, first: ['(done, 59999)', '(queued, 3)', '(running, 40000)'] },
        missing_right: { count: 1, first: ['(queued, 99999)'] },
        missing_left: { count: 0 },
      });
    });

    it('works as a check body, for verify and gates', async () => {
      await conn.query('DELETE FROM cmp_right WHERE id = 99');
      const t = makeExecContext({ connections: { app: conn } });
      const result = await evaluateCheck({ compare: body() }, t.ctx);
      expect(result).toMatchObject({ ok: false, details: { missing_right: { count: 1, first: ['99'] } } });
    });

    it.runIf(kind === storyKind)('refuses column lists of different lengths', async () => {
      const b = body({
        left: { table: 'cmp_left', key: 'id', columns: ['id', 'status'] },
        right: { table: 'cmp_right', key: 'id', columns: ['id'] },
      });
      await expect(compare(b)).rejects.toThrow(
        'compare: left compares 2 columns (id, status), right 1 (id); list the same number of columns on both sides with columns:',
      );
    });

    it('names a missing table or column and the side it is on', async () => {
      await expect(compare(body({ right: { table: 'cmp_nope', key: 'id' } }))).rejects.toThrow(
        'compare right: table cmp_nope does not exist on app',
      );
      await expect(compare(body({ left: { table: 'cmp_left', key: 'nope' } }))).rejects.toThrow(
        /compare left key: column nope does not exist in cmp_left on app; its columns are id, payload/,
      );
    });
  });
});

describe.skipIf(noServer('postgres'))('compare across connections', () => {
  it('compares a PGlite table with a PostgreSQL table and finds the one difference', async () => {
    const [lite, pg] = await Promise.all([
      openTestDatabase('pglite', { name: 'lite' }),
      openTestDatabase('postgres', { name: 'pg' }),
    ]);
    try {
      for (const c of [lite.conn, pg.conn]) {
        await c.query(`CREATE TABLE cmp_side (${columns})`);
        await c.query(`INSERT INTO cmp_side ${fill.replace(String(rowCount), '20000')}`);
      }
      const t = makeExecContext({ connections: { lite: lite.conn, pg: pg.conn } });
      const b: CompareBody = {
        left: { conn: 'lite', table: 'cmp_side', key: 'id' },
        right: { conn: 'pg', table: 'cmp_side', key: 'id' },
        recheck_after: '10ms',
      };
      expect(await compareExecutor(b, t.ctx)).toMatchObject({ ok: true, rows: 20_000 });
      await pg.conn.query(
        "UPDATE cmp_side SET created_at = created_at + interval '1 microsecond' WHERE id = 4321",
      );
      const result = await compareExecutor(
        b,
        makeExecContext({ connections: { lite: lite.conn, pg: pg.conn } }).ctx,
      );
      expect(result.details).toMatchObject({ different: { count: 1, first: ['4321'] } });
    } finally {
      await Promise.all([lite.close(), pg.close()]);
    }
  });
});
