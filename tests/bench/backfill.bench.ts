import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Journal } from '../../src/journal/journal.js';
import { PgJournal } from '../../src/store/pg-journal.js';
import { backfillExecutor } from '../../src/engine/executors/backfill.js';
import type { Step } from '../../src/runbook/schema.js';
import { stepRun } from '../backfill/step-context.js';
import { type BenchDatabase, createAccounts, openBenchDatabase, timed } from './bench-database.js';
import { type Benchmark, type BenchResult, median } from './benchmark.js';

const rows = 1_000_000;
// Both sides measured in every round, which of them goes first alternating (a load that rises or
// falls during a round weighs on each side alike); the rows report the median of the rounds' ratios.
const rounds = 9;
// As a backfill's SQL is written (the dual-write may have copied a row first), and the same
// statement over the whole table as the baseline.
const onConflict = 'ON CONFLICT (aid) DO NOTHING';

// Each side starts from an empty copy and a quiet disk: the writes the side before left to the
// server and the kernel are flushed first, not while this side is timed.
async function emptyCopy(db: BenchDatabase): Promise<void> {
  await db.conn.query('TRUNCATE bench_copy');
  await db.conn.query('CHECKPOINT');
}

async function baseline(db: BenchDatabase): Promise<number> {
  await emptyCopy(db);
  return timed(() => db.conn.query(`INSERT INTO bench_copy SELECT * FROM bench_accounts ${onConflict}`));
}

// Every batch committed with its checkpoint row and journaled: in a real file journal (fsync), or
// with `journal` in a team's state database (PgJournal, each append a committed INSERT).
async function backfill(db: BenchDatabase, round: number, journal?: Journal): Promise<{ ms: number; batches: number }> {
  await emptyCopy(db);
  const step: Step = {
    id: `copy-${round}`,
    backfill: {
      from: 'bench_accounts',
      key: 'aid',
      sql: `INSERT INTO bench_copy SELECT * FROM bench_accounts WHERE aid > :lo AND aid <= :hi ${onConflict}`,
    },
  };
  const run = stepRun({
    step,
    connections: { app: db.conn },
    journalPath: join(db.stateDir, `journal-${round}.jsonl`),
    journal,
  });
  let batches = 0;
  const ms = await timed(async () => {
    const result = await backfillExecutor(step.backfill!, run.ctx);
    if (!result.ok || result.rows !== rows)
      throw new Error(`backfill did not copy ${rows} rows: ${JSON.stringify(result)}`);
    batches = (result.details as { batches: number }).batches;
  });
  run.journal.close();
  return { ms, batches };
}

export const backfillBenchmark: Benchmark = {
  name: 'backfill',
  async run(): Promise<BenchResult[]> {
    const db = await openBenchDatabase('bench_bf');
    try {
      await createAccounts(db.conn, 'bench_accounts', rows);
      await db.conn.query('CREATE TABLE bench_copy (LIKE bench_accounts INCLUDING ALL)');
      await baseline(db);
      const base: number[] = [];
      const copied: Array<{ ms: number; batches: number }> = [];
      const inTeam: Array<{ ms: number; batches: number }> = [];
      for (let round = 1; round <= rounds; round++) {
        if (round % 2 === 1) base.push(await baseline(db));
        copied.push(await backfill(db, round));
        if (round % 2 === 0) base.push(await baseline(db));
        const { journal } = PgJournal.open({
          url: db.url,
          runId: `bench-bf-${round}-${Date.now()}`,
          me: { engineId: `bench-bf-${round}`, host: hostname(), pid: process.pid },
          create: { runbook: 'bench', stepDefinitions: '{}' },
        });
        inTeam.push(await backfill(db, round + rounds, journal));
      }
      const teamRatio = median(inTeam.map((c, i) => c.ms / copied[i].ms));
      const ratio = median(copied.map((c, i) => base[i] / c.ms));
      const rate = (rows * 1000) / median(copied.map((c) => c.ms));
      const baseRate = (rows * 1000) / median(base);
      return [
        {
          name: 'backfill 1M rows vs INSERT … SELECT … ON CONFLICT',
          value: Math.round(rate),
          unit: 'rows/s',
          baseline: Math.round(baseRate),
          ratio: Number(ratio.toFixed(3)),
          target: 'ratio ≥ 0.95',
          pass: ratio >= 0.95,
          details: {
            rows,
            method: `median of ${rounds} rounds' ratios, the two sides in alternating order`,
            batches: copied.map((c) => c.batches),
            backfill_ms: copied.map((c) => Math.round(c.ms)),
            insert_select_ms: base.map(Math.round),
          },
        },
        {
          name: 'backfill 1M rows journaled in PostgreSQL (team mode) vs in a file',
          value: Math.round(median(inTeam.map((c) => c.ms))),
          unit: 'ms',
          baseline: Math.round(median(copied.map((c) => c.ms))),
          ratio: Number(teamRatio.toFixed(3)),
          target: 'ratio ≤ 1.1',
          pass: teamRatio <= 1.1,
          details: {
            batches: inTeam.map((c) => c.batches),
            postgres_journal_ms: inTeam.map((c) => Math.round(c.ms)),
            file_journal_ms: copied.map((c) => Math.round(c.ms)),
          },
        },
      ];
    } finally {
      await db.close();
    }
  },
};
