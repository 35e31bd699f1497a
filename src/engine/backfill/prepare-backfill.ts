import { StepwiseError } from '../../errors/stepwise-error.js';
import type { BackfillBody } from '../../runbook/schema.js';
import type { ExecContext } from '../executor.js';
import { type BackfillSettings, readSettings } from './backfill-settings.js';
import { bindBatchSql } from './bind-batch-sql.js';
import { type Checkpoint, ensureCheckpointTable } from './checkpoint-store.js';
import { type CopyBatch, copyBatchInPlace } from './copy-batch.js';
import { batchTable, copyBatchAcross } from './copy-batch-across.js';
import { inspectSource, type SourceTable } from './inspect-source.js';
import { lowerBound } from './key-bounds.js';
import type { KeyValue } from './keyset-sql.js';
import { resumeCheckpoint } from './resume-checkpoint.js';

export interface PreparedBackfill {
  settings: BackfillSettings;
  table: SourceTable;
  checkpoint: Checkpoint;
  // The exclusive :lo of the first batch.
  start: KeyValue;
  copy: CopyBatch;
}

// Everything checked before the first row moves: the table, its key, the SQL's bounds, the
// checkpoint reconciled with the journal. Undefined when the source table is empty.
export async function prepareBackfill(
  body: BackfillBody,
  ctx: ExecContext,
): Promise<PreparedBackfill | undefined> {
  const settings = readSettings(body, ctx.render);
  const source = ctx.connection(body.conn);
  // `into` another connection name means the batch travels through _stepwise_batch, even when
  // both names point at one database: the runbook's SQL is written for that.
  const across = body.into !== undefined && body.into !== body.conn;
  const target = across ? ctx.connection(body.into) : source;
  const table = await inspectSource(source, settings.from, settings.key, `connection ${source.name}`);
  const sql = bindBatchSql(ctx.render, body.sql, table.key);
  if (across && !body.sql.includes(batchTable)) {
    throw new StepwiseError(
      `backfill into ${target.name}: the sql runs on ${target.name} and must read the batch from ${batchTable}, e.g. INSERT INTO t SELECT * FROM ${batchTable} ON CONFLICT DO NOTHING`,
      'stepFailed',
    );
  }
  await ensureCheckpointTable(target);
  const checkpoint = await resumeCheckpoint(ctx, source, target, table);
  if (!checkpoint) return undefined;
  const start = await lowerBound(source, table);
  // A delete committed while a batch runs would be undone by the copy (the trigger found nothing to
  // delete yet): with a dual-write trigger, each batch locks its rows so such a delete waits.
  const lockRows = table.writeTriggers.length > 0;
  if (lockRows) {
    ctx.output(
      `${table.name} has dual-write triggers (${table.writeTriggers.join(', ')}): each batch locks its rows FOR KEY SHARE, so deletes wait for it\n`,
    );
  }
  const setup = {
    runId: ctx.runId,
    step: ctx.step.id,
    table,
    sql,
    max: checkpoint.maxKey,
    timeouts: settings.timeouts,
    lockRows,
    signal: ctx.signal,
  };
  const copy = across ? copyBatchAcross(source, target, setup) : copyBatchInPlace(source, setup);
  return { settings, table, checkpoint, start, copy };
}
