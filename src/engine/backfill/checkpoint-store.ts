import { StepwiseError } from '../../errors/stepwise-error.js';
import type { Queryable } from '../../db/connection.js';
import type { KeyValue } from './keyset-sql.js';
import { sqlState } from '../../db/sql-state.js';

// One row per backfill step of a run, on the target connection. Each batch updates it in the
// batch's own transaction, so the copied rows and the progress record commit together.
const createSql = [
  'CREATE SCHEMA IF NOT EXISTS stepwise',
  `CREATE TABLE IF NOT EXISTS stepwise.backfill_checkpoint (
     run_id text NOT NULL,
     step text NOT NULL,
     max_key text[] NOT NULL,
     batch integer NOT NULL DEFAULT 0,
     lo text[],
     hi text[],
     rows bigint NOT NULL DEFAULT 0,
     skipped bigint NOT NULL DEFAULT 0,
     last_rows integer NOT NULL DEFAULT 0,
     last_skipped integer NOT NULL DEFAULT 0,
     last_size integer NOT NULL DEFAULT 0,
     last_ms integer NOT NULL DEFAULT 0,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (run_id, step)
   )`,
];

export interface LastBatch {
  // The exclusive lower key of the last committed batch; null for the first batch.
  lo: KeyValue | null;
  rows: number;
  skipped: number;
  size: number;
  ms: number;
}

export interface Checkpoint {
  maxKey: KeyValue;
  batch: number;
  // The inclusive upper key of the last committed batch; null before the first batch.
  hi: KeyValue | null;
  rows: number;
  skipped: number;
  last: LastBatch;
}

interface CheckpointRow {
  max_key: string[];
  batch: number;
  lo: string[] | null;
  hi: string[] | null;
  rows: string | number;
  skipped: string | number;
  last_rows: number;
  last_skipped: number;
  last_size: number;
  last_ms: number;
}

// Two runs creating the schema at the same moment race in the catalog; the loser retries once.
export async function ensureCheckpointTable(db: Queryable): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      for (const statement of createSql) await db.query(statement);
      return;
    } catch (error) {
      if (tries > 0 || !['23505', '42P06', '42P07'].includes(sqlState(error) ?? '')) throw error;
    }
  }
}

export async function readCheckpoint(
  db: Queryable,
  runId: string,
  step: string,
): Promise<Checkpoint | undefined> {
  const { rows } = await db.query<CheckpointRow>(
    `SELECT max_key, batch, lo, hi, rows::text AS rows, skipped::text AS skipped,
            last_rows, last_skipped, last_size, last_ms
       FROM stepwise.backfill_checkpoint WHERE run_id = $1 AND step = $2`,
    [runId, step],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    maxKey: r.max_key,
    batch: r.batch,
    hi: r.hi,
    rows: Number(r.rows),
    skipped: Number(r.skipped),
    last: { lo: r.lo, rows: r.last_rows, skipped: r.last_skipped, size: r.last_size, ms: r.last_ms },
  };
}

export async function createCheckpoint(
  db: Queryable,
  runId: string,
  step: string,
  maxKey: KeyValue,
): Promise<void> {
  await db.query(
    `INSERT INTO stepwise.backfill_checkpoint (run_id, step, max_key) VALUES ($1, $2, $3::text[])
     ON CONFLICT (run_id, step) DO NOTHING`,
    [runId, step, maxKey],
  );
}

export async function deleteCheckpoint(db: Queryable, runId: string, step: string): Promise<void> {
  await db.query('DELETE FROM stepwise.backfill_checkpoint WHERE run_id = $1 AND step = $2', [runId, step]);
}

export interface BatchRecord {
  batch: number;
  lo: KeyValue | null;
  hi: KeyValue;
  rows: number;
  skipped: number;
  size: number;
  ms: number;
}

// Inside the batch's transaction. Conditional on the previous batch number, so two processes
// can never both record the same batch.
export async function recordBatch(tx: Queryable, runId: string, step: string, b: BatchRecord): Promise<void> {
  const { rowCount } = await tx.query(
    `UPDATE stepwise.backfill_checkpoint
        SET batch = $3, lo = $4::text[], hi = $5::text[], rows = rows + $6, skipped = skipped + $7,
            last_rows = $6, last_skipped = $7, last_size = $8, last_ms = $9, updated_at = now()
      WHERE run_id = $1 AND step = $2 AND batch = $3 - 1`,
    [runId, step, b.batch, b.lo, b.hi, b.rows, b.skipped, b.size, b.ms],
  );
  if (rowCount !== 1) {
    throw new StepwiseError(
      `the backfill checkpoint of ${step} moved past batch ${b.batch - 1} under this process: another process is running this backfill; stop it first`,
      'stepFailed',
    );
  }
}
