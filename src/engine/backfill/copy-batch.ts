import type { DbConnection } from '../../db/connection.js';
import type { BatchTimeouts } from './batch-timeouts.js';
import { setBatchTimeouts } from './batch-timeouts.js';
import type { BatchSql } from './bind-batch-sql.js';
import { recordBatch } from './checkpoint-store.js';
import type { SourceTable } from './inspect-source.js';
import type { KeyValue } from './keyset-sql.js';
import { BatchProbe } from './probe-batch.js';

export interface BatchOutcome {
  first: KeyValue;
  hi: KeyValue;
  // Rows in the key range, and rows the runbook's SQL reported (the rest were skipped).
  scanned: number;
  copied: number;
  ms: number;
}

// Runs batch number `batch` after key lo; undefined when no row is left up to the bound.
export type CopyBatch = (lo: KeyValue, size: number, batch: number) => Promise<BatchOutcome | undefined>;

export interface CopySetup {
  runId: string;
  step: string;
  table: SourceTable;
  sql: BatchSql;
  max: KeyValue;
  timeouts: BatchTimeouts;
  // Lock each batch's source rows FOR KEY SHARE (the source has a dual-write trigger).
  lockRows: boolean;
  // Cancels the running statement when the step is cancelled; the batch rolls back.
  signal: AbortSignal;
}

export function skippedOf(scanned: number, copied: number): number {
  return Math.max(0, scanned - copied);
}

// Source and target on one connection: one transaction finds the batch's upper key, runs the
// runbook's SQL over (lo, hi] and records the checkpoint.
export function copyBatchInPlace(db: DbConnection, setup: CopySetup): CopyBatch {
  const probe = new BatchProbe(setup.table, setup.lockRows, setup.signal);
  return async (lo, size, batch) => {
    const started = performance.now();
    return db.transaction(async (tx) => {
      await setBatchTimeouts(tx, setup.timeouts);
      const found = await probe.find(tx, lo, setup.max, size);
      if (!found) return undefined;
      const hi = found.hi ?? setup.max;
      const scanned = await probe.countRows(tx, lo, hi, found.hi ? size : undefined);
      const { rowCount: copied } = await tx.query(setup.sql.text, setup.sql.params(lo, hi), {
        signal: setup.signal,
      });
      const ms = Math.round(performance.now() - started);
      const skipped = skippedOf(scanned, copied);
      await recordBatch(tx, setup.runId, setup.step, {
        batch,
        lo: batch === 1 ? null : lo,
        hi,
        rows: copied,
        skipped,
        size,
        ms,
      });
      return { first: found.first, hi, scanned, copied, ms };
    });
  };
}
