import type { DbConnection } from '../../db/connection.js';
import type { BatchTimeouts } from './batch-timeouts.js';
import { setBatchTimeouts } from './batch-timeouts.js';
import type { BatchSql } from './bind-batch-sql.js';
import { recordBatch } from './checkpoint-store.js';
import type { SourceTable } from './inspect-source.js';
import type { KeyValue } from './keyset-sql.js';
import { BatchProbe } from './probe-batch.js';
import { RangeAhead } from './range-ahead.js';

export interface BatchOutcome {
  first: KeyValue;
  hi: KeyValue;
  // Rows in the key range, and rows the runbook's SQL reported (the rest were skipped).
  scanned: number;
  copied: number;
  ms: number;
  // The rows the range was found for: the size asked, or that of a range found ahead.
  size: number;
}

// Runs batch number `batch` of about `size` rows after key lo (exactly `size` when `exact`: the
// operator chose it); undefined when no row is left up to the bound.
export type CopyBatch = (
  lo: KeyValue,
  size: number,
  batch: number,
  exact: boolean,
) => Promise<BatchOutcome | undefined>;

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

// Source and target on one connection: one transaction runs the runbook's SQL over (lo, hi]
// and records the checkpoint. The batch's upper key was found while the batch before copied
// (RangeAhead), else by the transaction first.
export function copyBatchInPlace(db: DbConnection, setup: CopySetup): CopyBatch {
  const probe = new BatchProbe(setup.table, setup.lockRows, setup.signal);
  const ahead = new RangeAhead(db, probe, setup.max, setup.timeouts);
  return async (lo, wanted, batch, exact) => {
    const started = performance.now();
    const early = await ahead.take(lo, wanted, exact);
    return db.transaction(async (tx) => {
      await setBatchTimeouts(tx, setup.timeouts);
      const size = early?.size ?? wanted;
      const found = early ? early.found : await probe.find(tx, lo, setup.max, size);
      if (!found) return undefined;
      const hi = found.hi ?? setup.max;
      ahead.start(hi, wanted);
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
      return { first: found.first, hi, scanned, copied, ms, size };
    });
  };
}
