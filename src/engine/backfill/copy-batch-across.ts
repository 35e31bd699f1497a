import { StepwiseError } from '../../errors/stepwise-error.js';
import type { DbConnection, Queryable } from '../../db/connection.js';
import { setBatchTimeouts } from './batch-timeouts.js';
import { recordBatch } from './checkpoint-store.js';
import { type BatchOutcome, type CopyBatch, type CopySetup, skippedOf } from './copy-batch.js';
import { BatchProbe } from './probe-batch.js';
import { RangeAhead } from './range-ahead.js';

export const batchTable = '_stepwise_batch';

// Source and target on different connections: the batch's rows are read from the source as one
// JSON array (bound keys), loaded on the target into the temporary table
// _stepwise_batch (same column names and types, dropped at commit), then the runbook's SQL runs
// on the target reading from it, in the transaction that records the checkpoint. The next
// batch's range is found on the source while this one copies (RangeAhead).
export function copyBatchAcross(source: DbConnection, target: DbConnection, setup: CopySetup): CopyBatch {
  const probe = new BatchProbe(setup.table, setup.lockRows, setup.signal);
  const ahead = new RangeAhead(source, probe, setup.max, setup.timeouts);
  const columns = setup.table.columns.map((c) => `${c.sql} ${c.type}`).join(', ');
  const create = `CREATE TEMPORARY TABLE ${batchTable} (${columns}) ON COMMIT DROP`;
  const load = `INSERT INTO ${batchTable} SELECT * FROM json_populate_recordset(NULL::${batchTable}, $1::json)`;
  // The source transaction (holding the batch's row locks) stays open until the target commits.
  // Two names for one database share one session on PGlite, where nesting would wait on itself:
  // there the read commits first.
  const nest = source.target !== target.target;
  return async (lo, wanted, batch, exact) => {
    const started = performance.now();
    const early = await ahead.take(lo, wanted, exact);
    const size = early?.size ?? wanted;
    const read = async (tx: Queryable) => {
      await setBatchTimeouts(tx, setup.timeouts);
      const found = early ? early.found : await probe.find(tx, lo, setup.max, size);
      if (!found) return undefined;
      const hi = found.hi ?? setup.max;
      ahead.start(hi, wanted);
      return { first: found.first, hi, ...(await probe.readRows(tx, lo, hi)) };
    };
    const write = async (got: Awaited<ReturnType<typeof read>>): Promise<BatchOutcome | undefined> => {
      if (!got) return undefined;
      return target.transaction(async (tx) => {
        await setBatchTimeouts(tx, setup.timeouts);
        try {
          await tx.query(create);
        } catch (error) {
          throw new StepwiseError(
            `backfill into ${target.name}: cannot create ${batchTable} with the columns of ${setup.table.name} (${(error as Error).message}); every column type must exist on both connections`,
            'stepFailed',
          );
        }
        await tx.query(load, [got.rows], { signal: setup.signal });
        const { rowCount: copied } = await tx.query(setup.sql.text, setup.sql.params(lo, got.hi), {
          signal: setup.signal,
        });
        const ms = Math.round(performance.now() - started);
        const skipped = skippedOf(got.n, copied);
        const record = { batch, lo: batch === 1 ? null : lo, hi: got.hi, rows: copied, skipped, size, ms };
        await recordBatch(tx, setup.runId, setup.step, record);
        return { first: got.first, hi: got.hi, scanned: got.n, copied, ms, size };
      });
    };
    if (nest) return source.transaction(async (tx) => write(await read(tx)));
    return write(await source.transaction(read));
  };
}
