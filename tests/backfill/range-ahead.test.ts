import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DbConnection } from '../../src/db/connection.js';
import { inspectSource } from '../../src/engine/backfill/inspect-source.js';
import { BatchProbe } from '../../src/engine/backfill/probe-batch.js';
import { RangeAhead } from '../../src/engine/backfill/range-ahead.js';
import { backfillExecutor } from '../../src/engine/executors/backfill.js';
import type { Step } from '../../src/runbook/schema.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { batchEvents, resetSchemas, stepRun, tempDir } from './step-context.js';

const rowsInTable = 60_000;
const timeouts = { lockMs: 2000, statementMs: 30_000 };

const copy: Step = {
  id: 'copy',
  backfill: {
    from: 'bf_src',
    key: 'id',
    sql: 'INSERT INTO bf_dst SELECT * FROM bf_src WHERE id > :lo AND id <= :hi ON CONFLICT (id) DO NOTHING',
  },
};

describe.each(databaseKinds)('large batches on %s', (kind) => {
  describe.skipIf(noServer(kind))('', () => {
    let db: TestDatabase;
    let conn: DbConnection;

    beforeAll(async () => {
      db = await openTestDatabase(kind, { name: 'app' });
      conn = db.conn;
    });
    afterAll(async () => {
      await db.close();
    });
    beforeEach(async () => {
      await resetSchemas(conn);
      await conn.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
      await conn.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
      // Every third key is missing: a range of n rows spans 1.5 n keys.
      await conn.query(
        `INSERT INTO bf_src SELECT g, md5(g::text) FROM generate_series(1, ${rowsInTable * 1.5}) g WHERE g % 3 <> 0`,
      );
    });

    it('copies every row once in the operator’s batch sizes, the next range found while a batch copies', async () => {
      const journalPath = join(tempDir('stepwise-bf-ahead-'), 'journal.jsonl');
      const run = stepRun({
        step: copy,
        connections: { app: conn },
        journalPath,
        onOutput: (line) => {
          // Between batches 2 and 3 the operator takes a smaller size: the range found ahead
          // for 20,000 rows is not the one they asked for.
          if (line.startsWith('batch 2:')) run.controls.batchSize = 15_000;
        },
      });
      run.controls.batchSize = 20_000;
      const result = await backfillExecutor(copy.backfill!, run.ctx);
      expect(result).toMatchObject({ ok: true, rows: rowsInTable });
      const batches = batchEvents(journalPath, 'copy');
      expect(batches.map((b) => b.rows)).toEqual([20_000, 20_000, 15_000, 5000]);
      expect(batches.map((b) => b.hi)).toEqual([29_999, 59_999, 82_499, 89_999]);
      for (let i = 1; i < batches.length; i++) expect(batches[i].lo).toBe(batches[i - 1].hi);
      expect(batches.reduce((n, b) => n + b.skipped, 0)).toBe(0);
      const digest = (t: string) => `SELECT count(*)::int AS n, md5(string_agg(id || v, ',' ORDER BY id)) AS h FROM ${t}`;
      expect((await conn.query(digest('bf_dst'))).rows).toEqual((await conn.query(digest('bf_src'))).rows);
    });

    it('hands over a range found ahead only for the key it starts after and a size that suits', async () => {
      const table = await inspectSource(conn, 'bf_src', ['id'], 'app');
      const ahead = new RangeAhead(conn, new BatchProbe(table, false, new AbortController().signal), ['89999'], timeouts);
      const onServer = kind === 'postgres';

      ahead.start(['0'], 20_000);
      const found = await ahead.take(['0'], 20_000, true);
      expect(found).toEqual(onServer ? { size: 20_000, found: { first: ['1'], hi: ['29999'] } } : undefined);

      // The adaptive size wants a little less, or more: the range is used as found.
      ahead.start(['29999'], 20_000);
      expect((await ahead.take(['29999'], 17_000, false))?.size).toBe(onServer ? 20_000 : undefined);
      ahead.start(['29999'], 20_000);
      expect((await ahead.take(['29999'], 40_000, false))?.size).toBe(onServer ? 20_000 : undefined);

      // Found for another key, for far more rows than wanted, or not the operator's size: found again.
      ahead.start(['29999'], 20_000);
      expect(await ahead.take(['30000'], 20_000, false)).toBeUndefined();
      ahead.start(['29999'], 20_000);
      expect(await ahead.take(['29999'], 10_000, false)).toBeUndefined();
      ahead.start(['29999'], 20_000);
      expect(await ahead.take(['29999'], 19_000, true)).toBeUndefined();

      // Fewer rows left than asked: the last batch runs up to the bound.
      ahead.start(['82499'], 20_000);
      expect(await ahead.take(['82499'], 20_000, true)).toEqual(
        onServer ? { size: 20_000, found: { first: ['82501'] } } : undefined,
      );
    });
  });
});
