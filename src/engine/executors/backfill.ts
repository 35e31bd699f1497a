import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, StepwiseError } from '../../cli/exit-codes.js';
import type { BackfillBody } from '../../runbook/schema.js';
import { BackfillProgress } from '../backfill/backfill-progress.js';
import { readSettings } from '../backfill/backfill-settings.js';
import { BatchSizer } from '../backfill/batch-sizer.js';
import { bindBatchSql } from '../backfill/bind-batch-sql.js';
import { ensureCheckpointTable } from '../backfill/checkpoint-store.js';
import { type BatchOutcome, type CopyBatch, type CopySetup, copyBatchInPlace, skippedOf } from '../backfill/copy-batch.js';
import { batchTable, copyBatchAcross } from '../backfill/copy-batch-across.js';
import { TotalEstimate } from '../backfill/estimate-total.js';
import { inspectSource, isIntegerKey } from '../backfill/inspect-source.js';
import { journalKey, keyNumber } from '../backfill/journal-key.js';
import { lowerBound } from '../backfill/key-bounds.js';
import { type KeyValue, sameKey, showKey } from '../backfill/keyset-sql.js';
import { LockBackoff } from '../backfill/lock-backoff.js';
import { resumeCheckpoint } from '../backfill/resume-checkpoint.js';
import { lockNotAvailable, queryCanceled, sqlState } from '../backfill/sql-state.js';
import { waitForThrottle } from '../backfill/wait-for-throttle.js';
import type { ExecContext, StepResult } from '../executor.js';

const count = (n: number) => n.toLocaleString('en-US');
// A batch that outlives statement_timeout is retried smaller this many times before failing.
const statementTimeoutRetries = 3;

// The backfill step (DESIGN.md section 4, "Moving data"): copies (lo, hi] key ranges of `from`
// in batches bounded by the largest key at start, each batch and its checkpoint in one
// transaction, then journaled. Resumes after the last committed batch.
export async function executeBackfill(body: BackfillBody, ctx: ExecContext): Promise<StepResult> {
  const settings = readSettings(body, ctx.render);
  const source = ctx.connection(body.conn);
  // `into` another connection name means the batch travels through _stepwise_batch, even when
  // both names point at one database: the runbook's SQL is written for that.
  const across = body.into !== undefined && body.into !== body.conn;
  const target = across ? ctx.connection(body.into) : source;
  const table = await inspectSource(source, settings.from, settings.key, `connection ${source.name}`);
  const sql = bindBatchSql(ctx.render, body.sql, table.key, !across);
  if (across && !body.sql.includes(batchTable)) {
    throw new StepwiseError(
      `backfill into ${target.name}: the sql runs on ${target.name} and must read the batch from ${batchTable}, e.g. INSERT INTO t SELECT * FROM ${batchTable} ON CONFLICT DO NOTHING`,
      ExitCode.stepFailed,
    );
  }
  await ensureCheckpointTable(target);
  const checkpoint = await resumeCheckpoint(ctx, source, target, table);
  if (!checkpoint) {
    ctx.output(`${table.name} is empty: nothing to copy\n`);
    return {
      ok: true,
      rows: 0,
      summary: `nothing to copy: ${table.name} is empty`,
      details: { batches: 0, rows: 0, skipped: 0 },
    };
  }
  const max = checkpoint.maxKey;
  const start = await lowerBound(source, table);
  let lo: KeyValue = checkpoint.hi ?? start;
  let batch = checkpoint.batch;
  let rows = checkpoint.rows;
  let skipped = checkpoint.skipped;
  if (batch > 0) {
    ctx.output(
      `resuming after batch ${batch} (key ${showKey(lo)}): ${count(rows)} rows already copied, up to key ${showKey(max)}\n`,
    );
  } else {
    ctx.output(
      `copying ${table.name} up to key ${showKey(max)} (the largest key now; later rows are the dual-write's)\n`,
    );
  }

  const setup: CopySetup = {
    runId: ctx.runId,
    step: ctx.step.id,
    table,
    sql,
    max,
    timeouts: settings.timeouts,
    signal: ctx.signal,
  };
  const copy: CopyBatch = across ? copyBatchAcross(source, target, setup) : copyBatchInPlace(source, setup);
  const sizer = new BatchSizer(settings.batch, settings.targetMs);
  const toNumber = (k: KeyValue | undefined | null) => keyNumber(k, table.key);
  const range = isIntegerKey(table.key) ? { lo: Number(start[0]), max: Number(max[0]) } : undefined;
  const progress = new BackfillProgress(
    ctx.progress,
    new TotalEstimate(range, table.reltuples),
    rows,
    skipped,
    sizer.next(ctx.controls.batchSize()),
    toNumber,
  );
  const backoff = new LockBackoff();
  let timeouts = 0;

  while (!sameKey(lo, max)) {
    if (ctx.signal.aborted) break;
    if (ctx.controls.paused()) {
      ctx.output(`paused after batch ${batch}\n`);
      progress.notice('paused');
      await ctx.controls.waitWhilePaused(ctx.signal);
      if (ctx.signal.aborted) break;
      ctx.output('resumed\n');
      progress.waited();
    }
    if (body.throttle) await waitForThrottle(body.throttle, ctx, progress);
    if (ctx.signal.aborted) break;
    const size = sizer.next(ctx.controls.batchSize());
    let done: BatchOutcome | undefined;
    try {
      done = await copy(lo, size, batch + 1);
    } catch (error) {
      if (ctx.signal.aborted) break;
      const state = sqlState(error);
      if (state === lockNotAvailable) {
        const wait = backoff.nextDelayMs();
        ctx.output(
          `batch ${batch + 1}: lock timeout (${settings.timeouts.lockMs} ms), retrying in ${wait / 1000} s\n`,
        );
        progress.notice(`waiting for a lock, retry in ${wait / 1000} s`);
        await sleep(wait, undefined, { signal: ctx.signal }).catch(() => undefined);
        progress.waited();
        continue;
      }
      if (state === queryCanceled && !ctx.signal.aborted && timeouts < statementTimeoutRetries) {
        timeouts++;
        sizer.shrink();
        ctx.output(
          `batch ${batch + 1}: statement timeout (${settings.timeouts.statementMs} ms), retrying with ${sizer.next()} rows\n`,
        );
        continue;
      }
      throw error;
    }
    backoff.reset();
    timeouts = 0;
    if (!done) break;
    batch++;
    const batchSkipped = skippedOf(done.scanned, done.copied);
    ctx.commitBatch({
      batch,
      lo: journalKey(batch === 1 ? null : lo, table.key),
      hi: journalKey(done.hi, table.key),
      rows: done.copied,
      skipped: batchSkipped,
      size,
      duration_ms: done.ms,
    });
    rows += done.copied;
    skipped += batchSkipped;
    ctx.output(
      `batch ${batch}: ${showKey(done.first)}..${showKey(done.hi)}  ${done.copied} rows${batchSkipped ? `  ${batchSkipped} skipped` : ''}  ${done.ms} ms\n`,
    );
    sizer.observe(done.scanned, done.ms);
    progress.batch({
      rows: done.copied,
      skipped: batchSkipped,
      lo,
      hi: done.hi,
      nextSize: sizer.next(ctx.controls.batchSize()),
    });
    lo = done.hi;
  }
  progress.emit(true);
  const details = {
    batches: batch,
    rows,
    skipped,
    max_key: journalKey(max, table.key),
    last_key: journalKey(lo, table.key),
  };
  if (ctx.signal.aborted) {
    return {
      ok: false,
      rows,
      error: `stopped after batch ${batch} (key ${showKey(lo)}); resume continues from there`,
      details,
    };
  }
  const summary = `copied ${count(rows)} rows in ${batch} batches${skipped ? `, ${count(skipped)} skipped (already there)` : ''}, up to key ${showKey(max)}`;
  ctx.output(`${summary}\n`);
  return { ok: true, rows, summary, details };
}
