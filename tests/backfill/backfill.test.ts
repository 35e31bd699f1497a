import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DbConnection } from '../../src/db/connection.js';
import { backfillExecutor } from '../../src/engine/executors/backfill.js';
import type { BackfillBody, Step } from '../../src/runbook/schema.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { batchEvents, resetSchemas, type StepRun, stepRun, tempDir } from './step-context.js';

const copySql = `INSERT INTO bf_dst (id, v) SELECT id, v FROM bf_src WHERE id > :lo AND id <= :hi
  ON CONFLICT (id) DO NOTHING`;

function step(backfill: Partial<BackfillBody>): Step {
  return {
    id: 'copy',
    backfill: { from: 'bf_src', key: 'id', sql: copySql, target: '5ms', ...backfill } as BackfillBody,
  };
}

async function rows(conn: DbConnection, table: string): Promise<Array<{ id: string; v: string | null }>> {
  return (
    await conn.query<{ id: string; v: string | null }>(`SELECT id::text AS id, v FROM ${table} ORDER BY id`)
  ).rows;
}

describe.each(databaseKinds)('backfill on %s', (kind) => {
  describe.skipIf(noServer(kind))('', () => {
    let db: TestDatabase;
    let conn: DbConnection;
    let dir: string;
    let journalPath: string;

    beforeAll(async () => {
      db = await openTestDatabase(kind, { name: 'app' });
      conn = db.conn;
    });
    afterAll(async () => {
      await db.close();
    });
    beforeEach(async () => {
      dir = tempDir('stepwise-bf-');
      journalPath = join(dir, 'journal.jsonl');
      await resetSchemas(conn);
    });

    const run = (s: Step, extra: Partial<Parameters<typeof stepRun>[0]> = {}): StepRun =>
      stepRun({ step: s, connections: { app: conn }, journalPath, ...extra });

    it('copies an integer key with gaps in batches, each batch journaled once', async () => {
      await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
      await conn.query(
        "INSERT INTO bf_src SELECT g, 'v' || g FROM generate_series(-50, 6000) g WHERE g % 7 <> 0 AND g NOT BETWEEN 1000 AND 3000",
      );
      const r = run(step({ batch: 50 }));
      const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
      expect(result.ok).toBe(true);
      expect(await rows(conn, 'bf_dst')).toEqual(await rows(conn, 'bf_src'));
      const batches = batchEvents(journalPath, 'copy');
      expect(batches.length).toBeGreaterThan(3);
      expect(batches.map((b) => b.batch)).toEqual(batches.map((_, i) => i + 1));
      expect(batches[0].lo).toBeNull();
      expect(batches.at(-1)!.hi).toBe(6000);
      for (let i = 1; i < batches.length; i++) expect(batches[i].lo).toBe(batches[i - 1].hi);
      const total = (await conn.query<{ n: number }>('SELECT count(*)::int AS n FROM bf_src')).rows[0].n;
      expect(batches.reduce((sum, b) => sum + b.rows, 0)).toBe(total);
      expect(result.rows).toBe(total);
      expect(r.output.some((l) => /^batch 1: -50\.\.\S+ {2}50 rows {2}\d+ ms/.test(l))).toBe(true);
      const last = r.progress.at(-1)!.data!;
      expect(last).toMatchObject({ rows: total, skipped: 0, total, key: '6000' });
    });

    it('counts rows already in the target as skipped, not copied', async () => {
      await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
      await conn.query("INSERT INTO bf_src SELECT g, 'v' || g FROM generate_series(1, 500) g");
      await conn.query("INSERT INTO bf_dst SELECT g, 'new ' || g FROM generate_series(1, 500, 5) g");
      const r = run(step({ batch: 100 }));
      const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
      expect(result).toMatchObject({ ok: true, rows: 400, details: { skipped: 100, skipped_because: 'already there' } });
      expect(result.summary).toContain('100 skipped (already there)');
      expect(
        (await conn.query("SELECT count(*)::int AS n FROM bf_dst WHERE v LIKE 'new %'")).rows[0],
      ).toEqual({
        n: 100,
      });
    });

    it('labels the rows it passes over as the runbook says why', async () => {
      await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
      await conn.query("INSERT INTO bf_src SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'v' || g END FROM generate_series(1, 300) g");
      const onlyValued = copySql.replace(':hi', ':hi AND v IS NOT NULL');
      const r = run(step({ batch: 100, sql: onlyValued, skipped: 'no value to copy' }));
      const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
      expect(result).toMatchObject({ ok: true, rows: 270, details: { skipped: 30, skipped_because: 'no value to copy' } });
      expect(result.summary).toContain('30 skipped (no value to copy)');
    });

    it('copies a text key in key order', async () => {
      await conn.query('CREATE TABLE bf_src (id text PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id text PRIMARY KEY, v text)');
      await conn.query(
        "INSERT INTO bf_src SELECT md5(g::text), CASE WHEN g % 3 = 0 THEN NULL ELSE 'v' || g END FROM generate_series(1, 1500) g",
      );
      await conn.query("INSERT INTO bf_src VALUES ('A', 'upper'), (' ', 'space'), ('zz''\"', 'quotes')");
      const r = run(step({ batch: 40 }));
      const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
      expect(result.ok).toBe(true);
      expect(await rows(conn, 'bf_dst')).toEqual(await rows(conn, 'bf_src'));
      expect(batchEvents(journalPath, 'copy').length).toBeGreaterThan(2);
      expect(r.progress.at(-1)!.data).toMatchObject({ rows: 1503, skipped: 0, total: 1503 });
    });

    it('copies a composite key with row-value bounds', async () => {
      await conn.query('CREATE TABLE bf_src (tenant int, id text, v text, PRIMARY KEY (tenant, id))');
      await conn.query('CREATE TABLE bf_dst (tenant int, id text, v text, PRIMARY KEY (tenant, id))');
      await conn.query(
        "INSERT INTO bf_src SELECT t, 'row' || g, t || ':' || g FROM generate_series(1, 5) t, generate_series(1, 300) g",
      );
      const sql = `INSERT INTO bf_dst SELECT * FROM bf_src
      WHERE (tenant, id) > :lo AND (tenant, id) <= :hi
      ON CONFLICT DO NOTHING`;
      const r = run(step({ key: ['tenant', 'id'], sql, batch: 100 }));
      const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
      expect(result).toMatchObject({ ok: true, rows: 1500 });
      const count = await conn.query(
        'SELECT count(*)::int AS n FROM bf_src s JOIN bf_dst d USING (tenant, id) WHERE s.v = d.v',
      );
      expect(count.rows[0]).toEqual({ n: 1500 });
      const batches = batchEvents(journalPath, 'copy');
      expect(batches.at(-1)!.hi).toEqual(['5', 'row99']);
    });

    it('finishes at once on an empty table', async () => {
      await conn.query('CREATE TABLE bf_src (id bigint PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id bigint PRIMARY KEY, v text)');
      const r = run(step({}));
      const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
      expect(result).toMatchObject({ ok: true, rows: 0, summary: expect.stringContaining('empty') });
      expect(batchEvents(journalPath, 'copy')).toEqual([]);
    });

    it('keeps every row exactly once and current while the dual-write trigger runs', async () => {
      await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
      await conn.query(`CREATE FUNCTION bf_dual_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN DELETE FROM bf_dst WHERE id = OLD.id; RETURN OLD; END IF;
        INSERT INTO bf_dst VALUES (NEW.id, NEW.v) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v;
        RETURN NEW;
      END $$`);
      await conn.query("INSERT INTO bf_src SELECT g, 'v' || g FROM generate_series(1, 4000) g");
      await conn.query(
        'CREATE TRIGGER bf_dual AFTER INSERT OR UPDATE OR DELETE ON bf_src FOR EACH ROW EXECUTE FUNCTION bf_dual_write()',
      );
      // Writes land between and (on PostgreSQL) during batches: updates, deletes and new rows.
      let writes = 0;
      let next = 4001;
      const write = async () => {
        const id = 1 + Math.floor(Math.random() * 4000);
        await conn.query("UPDATE bf_src SET v = v || '+' WHERE id = $1", [id]);
        if (writes % 2 === 0) await conn.query('DELETE FROM bf_src WHERE id = $1', [id + 1]);
        if (writes % 3 === 0) await conn.query("INSERT INTO bf_src VALUES ($1, 'late')", [next++]);
        writes++;
      };
      let copying = true;
      const writer = (async () => {
        while (copying) await write();
      })();
      const r = run(step({ batch: 50 }));
      const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
      copying = false;
      await writer;
      expect(result.ok).toBe(true);
      expect(writes).toBeGreaterThan(10);
      expect(r.output.join('')).toContain(
        'bf_src has dual-write triggers (bf_dual): each batch locks its rows',
      );
      expect(await rows(conn, 'bf_dst')).toEqual(await rows(conn, 'bf_src'));
    });

    it('journals a batch the checkpoint committed when the process stopped before journaling it', async () => {
      await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
      await conn.query("INSERT INTO bf_src SELECT g, 'v' || g FROM generate_series(1, 1000) g");
      const s = step({ batch: 100 });
      const first = run(s);
      // The journal append of batch 3 never happens: as if killed right after the commit.
      const append = first.ctx.commitBatch;
      first.ctx.commitBatch = (b) => {
        if (b.batch === 3) throw new Error('killed');
        append(b);
      };
      first.controls.batchSize = 100;
      await expect(backfillExecutor(s.backfill!, first.ctx)).rejects.toThrow('killed');
      expect(batchEvents(journalPath, 'copy').length).toBe(2);
      first.journal.close();

      const second = run(s, { attempt: 2 });
      second.controls.batchSize = 100;
      const result = await backfillExecutor(s.backfill!, second.ctx);
      expect(result).toMatchObject({ ok: true, rows: 1000 });
      const batches = batchEvents(journalPath, 'copy');
      expect(batches.map((b) => b.batch)).toEqual(batches.map((_, i) => i + 1));
      expect(batches[2]).toMatchObject({ batch: 3, lo: 200, hi: 300, rows: 100 });
      expect(batches[3].lo).toBe(300);
      expect(second.output.join('')).toContain('batch 3 committed before the process stopped');
      expect(second.output.join('')).toContain('resuming after batch 3 (key 300)');
      expect(await rows(conn, 'bf_dst')).toEqual(await rows(conn, 'bf_src'));
    });

    it('pauses between batches and takes a new batch size from the operator', async () => {
      await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
      await conn.query("INSERT INTO bf_src SELECT g, 'v' || g FROM generate_series(1, 600) g");
      const r = run(step({ batch: 100 }), {
        onOutput: (line) => {
          if (line.startsWith('batch 2:')) {
            r.controls.paused = true;
            setTimeout(() => {
              r.controls.batchSize = 250;
              r.controls.paused = false;
            }, 100);
          }
        },
      });
      r.controls.batchSize = 100;
      const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
      expect(result.ok).toBe(true);
      const text = r.output.join('');
      expect(text).toContain('paused after batch 2');
      expect(batchEvents(journalPath, 'copy').map((b) => b.rows)).toEqual([100, 100, 250, 150]);
      expect(r.progress.some((p) => p.data?.state === 'paused')).toBe(true);
    });

    it('holds each batch until the throttle check passes', async () => {
      await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_lag (seconds int)');
      await conn.query("INSERT INTO bf_src SELECT g, 'v' || g FROM generate_series(1, 300) g");
      await conn.query('INSERT INTO bf_lag VALUES (30)');
      const throttle = {
        sql: 'SELECT coalesce(max(seconds), 0)::int AS lag FROM bf_lag',
        expect: { lag: { lt: 5 } },
      };
      let released = false;
      const r = run(step({ batch: 100, throttle }), {
        onOutput: (line) => {
          if (!line.startsWith('throttled:') || released) return;
          released = true;
          setTimeout(() => void conn.query('DELETE FROM bf_lag'), 300);
        },
      });
      const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
      expect(result).toMatchObject({ ok: true, rows: 300 });
      const text = r.output.join('');
      expect(text).toMatch(/throttled: .*waiting until the throttle check passes/);
      expect(text.indexOf('throttle check passes; copying again')).toBeLessThan(text.indexOf('batch 1:'));
    });

    it.skipIf(kind === 'pglite')('waits out a lock held by another session, then copies', async () => {
      await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
      await conn.query("INSERT INTO bf_src SELECT g, 'v' || g FROM generate_series(1, 300) g");
      const other = postgres(db.url!, { max: 1, onnotice: () => {} });
      let release!: () => void;
      const locked = new Promise<void>((resolve) => {
        void other.begin(async (tx) => {
          await tx`LOCK TABLE bf_dst IN ACCESS EXCLUSIVE MODE`;
          resolve();
          await new Promise<void>((done) => {
            release = done;
          });
        });
      });
      await locked;
      setTimeout(() => release(), 1500);
      try {
        const r = run(step({ batch: 100, lock_timeout: '100ms' }));
        const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
        expect(result).toMatchObject({ ok: true, rows: 300 });
        const text = r.output.join('');
        expect(text).toContain('batch 1: lock timeout (100 ms), retrying in 1 s');
        expect(text).toContain('batch 1: lock timeout (100 ms), retrying in 2 s');
        expect(await rows(conn, 'bf_dst')).toEqual(await rows(conn, 'bf_src'));
      } finally {
        await other.end({ timeout: 1 });
      }
    });

    it('copies into another connection through _stepwise_batch', async () => {
      const other = await openTestDatabase('pglite', { name: 'dst' });
      try {
        const dst = other.conn;
        const columns =
          'id bigint PRIMARY KEY, doc jsonb, at timestamptz, amount numeric(12,2), raw bytea, tags text[], note text';
        await conn.query(`CREATE TABLE bf_src (${columns})`);
        await dst.query(`CREATE TABLE bf_dst (${columns})`);
        await conn.query(`INSERT INTO bf_src SELECT g, jsonb_build_object('n', g, 's', 'a"b'), timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute',
          g / 7.0, decode(md5(g::text), 'hex'), ARRAY['t' || g, NULL], CASE WHEN g % 2 = 0 THEN '' END
          FROM generate_series(1, 700) g`);
        const sql =
          'INSERT INTO bf_dst SELECT * FROM _stepwise_batch WHERE id > :lo AND id <= :hi ON CONFLICT (id) DO NOTHING';
        const r = run(step({ conn: 'app', into: 'dst', sql, batch: 100 }), {});
        r.ctx.connection = (name) => (name === 'dst' ? dst : conn);
        const result = await backfillExecutor(r.ctx.step.backfill!, r.ctx);
        expect(result).toMatchObject({ ok: true, rows: 700 });
        const dump = "SELECT string_agg(t::text, '|' ORDER BY id) AS all FROM bf_src t";
        const copied = (await dst.query(dump.replace('bf_src', 'bf_dst'))).rows[0];
        expect(copied).toEqual((await conn.query(dump)).rows[0]);
        expect((await dst.query('SELECT batch FROM stepwise.backfill_checkpoint')).rows[0]).toEqual({
          batch: batchEvents(journalPath, 'copy').length,
        });
      } finally {
        await other.close();
      }
    });

    describe('refuses bad input before copying anything', () => {
      beforeEach(async () => {
        await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, code text, tag text, v text)');
        await conn.query('CREATE UNIQUE INDEX bf_src_code ON bf_src (code)');
        await conn.query('CREATE INDEX bf_src_tag ON bf_src (tag)');
        await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
        await conn.query(
          "INSERT INTO bf_src SELECT g, 'c' || g, 't' || (g % 3), 'v' FROM generate_series(1, 10) g",
        );
      });

      const cases: Array<[string, Partial<BackfillBody>, RegExp]> = [
        [
          'a table that does not exist',
          { from: 'bf_nope' },
          /table bf_nope does not exist on connection app/,
        ],
        [
          'a key column that does not exist',
          { key: 'nope' },
          /column nope does not exist in bf_src; its columns are id, code, tag, v/,
        ],
        ['a key that is not unique', { key: 'tag' }, /key \(tag\) is not unique in bf_src/],
        ['a key that is not indexed', { key: 'v' }, /key \(v\) is not unique in bf_src/],
        [
          'a key that is unique but not indexed in key order',
          { key: ['v', 'id'], sql: 'SELECT :lo, :hi' },
          /key \(v, id\) is not indexed in bf_src/,
        ],
        [
          'SQL without :lo and :hi',
          { sql: 'INSERT INTO bf_dst SELECT id, v FROM bf_src' },
          /:lo and :hi are missing/,
        ],
        [
          'SQL without :hi',
          { sql: 'INSERT INTO bf_dst SELECT id, v FROM bf_src WHERE id > :lo' },
          /:hi is missing/,
        ],
      ];
      it.each(cases)('%s', async (_, body, message) => {
        const r = run(step(body));
        await expect(backfillExecutor(r.ctx.step.backfill!, r.ctx)).rejects.toThrow(message);
        expect((await conn.query('SELECT count(*)::int AS n FROM bf_dst')).rows[0]).toEqual({ n: 0 });
        expect(batchEvents(journalPath, 'copy')).toEqual([]);
      });

      it('accepts a unique non-primary key', async () => {
        const sql = 'INSERT INTO bf_dst SELECT id, v FROM bf_src WHERE code > :lo AND code <= :hi';
        const r = run(step({ key: 'code', sql }));
        expect(await backfillExecutor(r.ctx.step.backfill!, r.ctx)).toMatchObject({ ok: true, rows: 10 });
      });
    });
  });
});
