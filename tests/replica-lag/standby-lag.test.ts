import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbConnection } from '../../src/db/connection.js';
import { openConnections } from '../../src/db/open-connections.js';
import { backfillExecutor } from '../../src/engine/executors/backfill.js';
import { compareExecutor } from '../../src/engine/executors/compare.js';
import { readReplicaLag } from '../../src/engine/replica-lag/read-replica-lag.js';
import { readJournal } from '../../src/journal/file-journal.js';
import type { BackfillBody, Step } from '../../src/runbook/schema.js';
import { stepRun, tempDir } from '../backfill/step-context.js';
import { openTestDatabase } from '../helpers/databases.js';
import { canMakeClusters, createStandbyPair, type StandbyPair } from '../helpers/standby-cluster.js';
import { testDatabaseUrl } from '../helpers/scratch-database.js';

const copy: BackfillBody = {
  conn: 'app',
  from: 'lag_src',
  key: 'id',
  batch: 10,
  sql: 'INSERT INTO lag_dst SELECT * FROM lag_src WHERE id > :lo AND id <= :hi ON CONFLICT (id) DO NOTHING',
  max_replica_lag: '500ms',
  resume_replica_lag: '200ms',
};

// The standby stops replaying while WAL keeps arriving: the primary's replay_lag grows from here.
async function makeLag(pair: StandbyPair, conn: DbConnection): Promise<void> {
  await pair.caughtUp();
  await pair.pauseReplay();
  await conn.query('INSERT INTO lag_marker VALUES (DEFAULT)');
  for (;;) {
    const reading = await readReplicaLag(conn);
    if (reading.known && reading.lagMs > 500) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!canMakeClusters)('work held by the replay lag of a real standby', () => {
  let pair: StandbyPair;
  let conn: DbConnection;

  beforeAll(async () => {
    pair = await createStandbyPair('lag');
    const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-lag-'));
    conn = (await openConnections({ connections: { app: { url: pair.primaryUrl } }, stateDir, env: {} })).app;
    await conn.query('CREATE TABLE lag_marker (id serial PRIMARY KEY)');
    await conn.query("CREATE TABLE lag_src AS SELECT g AS id, 'row ' || g AS v FROM generate_series(1, 50) g");
    await conn.query('ALTER TABLE lag_src ADD PRIMARY KEY (id)');
    await conn.query('CREATE TABLE lag_dst (LIKE lag_src INCLUDING ALL)');
  }, 180_000);

  afterAll(async () => {
    await conn?.close();
    await pair?.drop();
  }, 60_000);

  it('pauses the backfill while the standby lags past max_replica_lag, journals it, and goes on once it caught up', async () => {
    await makeLag(pair, conn);
    const journalPath = join(tempDir('stepwise-lag-journal-'), 'journal.jsonl');
    const step: Step = { id: 'copy', backfill: copy };
    const run = stepRun({
      step,
      connections: { app: conn },
      journalPath,
      // The operator's DBA lets the standby replay again once the copy has stopped for it.
      onThrottle: (change) => {
        if (change.throttled) void pair.resumeReplay();
      },
    });
    const result = await backfillExecutor(copy, run.ctx);
    run.journal.close();

    expect(result).toMatchObject({ ok: true, rows: 50 });
    const holds = readJournal(journalPath).events.filter((e) => e.type === 'step.throttled');
    expect(holds[0]).toMatchObject({ step: 'copy', throttled: true, reason: expect.stringMatching(/^replica lag [\d.]+ s > 0.5 s$/) });
    expect(holds[1]).toMatchObject({ step: 'copy', throttled: false, reason: expect.stringMatching(/^replica lag [\d.]+ s < 0.2 s$/) });
    expect(holds.at(-1)).toMatchObject({ throttled: false });
    expect(run.output.join('')).toMatch(/throttled: replica lag [\d.]+ s > 0.5 s; waiting/);
    expect(run.progress.some((p) => /^throttled: replica lag [\d.]+ s/.test(p.message))).toBe(true);
    expect((await conn.query('SELECT count(*)::int AS n FROM lag_dst')).rows[0]).toEqual({ n: 50 });
  });

  it("holds a compare's reads when asked, and compares once the standby caught up", async () => {
    await makeLag(pair, conn);
    const run = stepRun({
      step: { id: 'same' },
      connections: { app: conn },
      journalPath: join(tempDir('stepwise-lag-journal-'), 'journal.jsonl'),
      onThrottle: (change) => {
        if (change.throttled) void pair.resumeReplay();
      },
    });
    const result = await compareExecutor(
      {
        left: { table: 'lag_src', key: 'id' },
        right: { table: 'lag_src', key: 'id' },
        max_replica_lag: '500ms',
      },
      run.ctx,
    );
    run.journal.close();
    expect(result).toMatchObject({ ok: true, rows: 50 });
    expect(run.output.join('')).toMatch(/throttled: replica lag [\d.]+ s > 0.5 s; waiting[\s\S]*throttle lifted/);
  });
});

describe.skipIf(!testDatabaseUrl)('a primary whose replica lag cannot be read', () => {
  it('holds the backfill (fail closed) and says why', async () => {
    const db = await openTestDatabase('postgres', { name: 'app' });
    try {
      await db.conn.query('CREATE TABLE lag_src (id int PRIMARY KEY, v text)');
      await db.conn.query('INSERT INTO lag_src VALUES (1, $1)', ['one']);
      await db.conn.query('CREATE TABLE lag_dst (LIKE lag_src INCLUDING ALL)');
      const run = stepRun({
        step: { id: 'copy', backfill: copy },
        connections: { app: db.conn },
        journalPath: join(tempDir('stepwise-lag-journal-'), 'journal.jsonl'),
        onThrottle: () => run.abort(new Error('stopped by the test')),
      });
      const result = await backfillExecutor(copy, run.ctx);
      run.journal.close();
      expect(result.ok).toBe(false);
      expect(run.output.join('')).toContain(
        'throttled: replica lag unknown: no streaming replica in pg_stat_replication on app; waiting',
      );
      expect((await db.conn.query('SELECT count(*)::int AS n FROM lag_dst')).rows[0]).toEqual({ n: 0 });
    } finally {
      await db.close();
    }
  });
});
