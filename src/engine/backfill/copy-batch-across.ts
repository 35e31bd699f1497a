import { ExitCode, StepwiseError } from '../../cli/exit-codes.js';
import type { DbConnection } from '../../db/connection.js';
import { setBatchTimeouts } from './batch-timeouts.js';
import { recordBatch } from './checkpoint-store.js';
import { type CopyBatch, type CopySetup, skippedOf } from './copy-batch.js';
import { probeParams, probeSql, readProbe } from './probe-batch.js';

export const batchTable = '_stepwise_batch';

// Source and target on different connections: the batch's rows are read from the source as one
// JSON array (one round trip, bound keys), loaded on the target into the temporary table
// _stepwise_batch (same column names and types, dropped at commit), then the runbook's SQL runs
// on the target reading from it, in the transaction that records the checkpoint.
export function copyBatchAcross(source: DbConnection, target: DbConnection, setup: CopySetup): CopyBatch {
  const probe = probeSql(setup.table, '*', ', (SELECT json_agg(s)::text FROM s) AS rows');
  const columns = setup.table.columns.map((c) => `${c.sql} ${c.type}`).join(', ');
  const create = `CREATE TEMPORARY TABLE ${batchTable} (${columns}) ON COMMIT DROP`;
  const load = `INSERT INTO ${batchTable} SELECT * FROM json_populate_recordset(NULL::${batchTable}, $1::json)`;
  return async (lo, size, batch) => {
    const started = performance.now();
    const read = await source.transaction(
      async (tx) => {
        await setBatchTimeouts(tx, setup.timeouts);
        return (await tx.query(probe, probeParams(lo, setup.max, size), { signal: setup.signal })).rows[0];
      },
      { readOnly: true },
    );
    const found = readProbe(read, setup.table.key.length);
    if (!found || found.n === 0) return undefined;
    return target.transaction(async (tx) => {
      await setBatchTimeouts(tx, setup.timeouts);
      try {
        await tx.query(create);
      } catch (error) {
        throw new StepwiseError(
          `backfill into ${target.name}: cannot create ${batchTable} with the columns of ${setup.table.name} (${(error as Error).message}); every column type must exist on both connections`,
          ExitCode.stepFailed,
        );
      }
      await tx.query(load, [read.rows], { signal: setup.signal });
      const { rowCount } = await tx.query(setup.sql.text, setup.sql.params(lo, found.hi), {
        signal: setup.signal,
      });
      const copied = rowCount;
      const ms = Math.round(performance.now() - started);
      await recordBatch(tx, setup.runId, setup.step, {
        batch,
        lo: batch === 1 ? null : lo,
        hi: found.hi,
        rows: copied,
        skipped: skippedOf(found.n, copied),
        size,
        ms,
      });
      return { first: found.first, hi: found.hi, scanned: found.n, copied, ms };
    });
  };
}
