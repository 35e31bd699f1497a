import type { BackfillBody } from '../../runbook/schema.js';
import { BackfillProgress } from '../backfill/backfill-progress.js';
import { BatchSizer } from '../backfill/batch-sizer.js';
import { skippedOf } from '../backfill/copy-batch.js';
import { CopyWithRetries } from '../backfill/copy-with-retries.js';
import { TotalEstimate } from '../backfill/estimate-total.js';
import { isIntegerKey } from '../backfill/inspect-source.js';
import { journalKey, keyNumber } from '../backfill/journal-key.js';
import { type KeyValue, sameKey, showKey } from '../backfill/keyset-sql.js';
import { prepareBackfill } from '../backfill/prepare-backfill.js';
import { waitForThrottle } from '../backfill/wait-for-throttle.js';
import { ReplicaThrottle, readLagLimits } from '../replica-lag/wait-for-replica.js';
import type { ExecContext, StepResult } from '../executor.js';

const count = (n: number) => n.toLocaleString('en-US');

// The backfill step (runbooks/README.md, "Moving data"): copies (lo, hi] key ranges of `from`
// in batches bounded by the largest key at start, each batch and its checkpoint in one
// transaction, then journaled. Resumes after the last committed batch.
export async function backfillExecutor(body: BackfillBody, ctx: ExecContext): Promise<StepResult> {
  const prepared = await prepareBackfill(body, ctx);
  if (!prepared) {
    ctx.output(`${body.from} is empty: nothing to copy\n`);
    return {
      ok: true,
      rows: 0,
      summary: `nothing to copy: ${body.from} is empty`,
      details: { batches: 0, rows: 0 },
    };
  }
  const { settings, table, checkpoint, start } = prepared;
  const max = checkpoint.maxKey;
  let lo: KeyValue = checkpoint.hi ?? start;
  let { batch, rows, skipped } = checkpoint;
  // What a passed-over row means in this copy: the runbook says, else a row already copied.
  const skippedBecause = body.skipped ?? 'already there';
  ctx.output(
    batch > 0
      ? `resuming after batch ${batch} (key ${showKey(lo)}): ${count(rows)} rows already copied, up to key ${showKey(max)}\n`
      : `copying ${table.name} up to key ${showKey(max)} (the largest key now; later rows are the dual-write's)\n`,
  );
  const sizer = new BatchSizer(settings.batch, settings.targetMs);
  const toNumber = (k: KeyValue | undefined | null) => keyNumber(k, table.key);
  const range = isIntegerKey(table.key) ? { lo: Number(start[0]), max: Number(max[0]) } : undefined;
  const estimate = new TotalEstimate(range, table.reltuples);
  const firstSize = sizer.next(ctx.controls.batchSize());
  const progress = new BackfillProgress(ctx.progress, estimate, rows, skipped, firstSize, toNumber);
  const copy = new CopyWithRetries(prepared.copy, ctx, sizer, progress, settings.timeouts);
  const lagLimits = readLagLimits(body);
  const primary = ctx.connection(body.into ?? body.conn);
  const replicas = lagLimits && new ReplicaThrottle([primary], lagLimits, ctx, (text) => progress.notice(text));

  while (!sameKey(lo, max) && !ctx.signal.aborted) {
    if (ctx.controls.paused()) {
      ctx.output(`paused after batch ${batch}\n`);
      progress.notice('paused');
      await ctx.controls.waitWhilePaused(ctx.signal);
      ctx.output('resumed\n');
      progress.waited();
    }
    if (body.throttle) await waitForThrottle(body.throttle, ctx, progress);
    if (replicas && (await replicas.wait())) progress.waited();
    if (ctx.signal.aborted) break;
    const result = await copy.run(lo, batch + 1);
    if (result.kind !== 'copied') break;
    const done = result.outcome;
    batch++;
    const batchSkipped = skippedOf(done.scanned, done.copied);
    ctx.commitBatch({
      batch,
      lo: journalKey(batch === 1 ? null : lo, table.key),
      hi: journalKey(done.hi, table.key),
      rows: done.copied,
      skipped: batchSkipped,
      size: done.size,
      duration_ms: done.ms,
    });
    rows += done.copied;
    skipped += batchSkipped;
    const skippedText = batchSkipped ? `  ${batchSkipped} skipped` : '';
    ctx.output(
      `batch ${batch}: ${showKey(done.first)}..${showKey(done.hi)}  ${done.copied} rows${skippedText}  ${done.ms} ms\n`,
    );
    sizer.observe(done.scanned, done.ms);
    const nextSize = sizer.next(ctx.controls.batchSize());
    progress.batch({ rows: done.copied, skipped: batchSkipped, lo, hi: done.hi, nextSize });
    lo = done.hi;
  }
  const details = {
    batches: batch,
    rows,
    skipped,
    skipped_because: skippedBecause,
    max_key: journalKey(max, table.key),
    last_key: journalKey(lo, table.key),
  };
  if (ctx.signal.aborted) {
    progress.emit(true);
    return {
      ok: false,
      rows,
      error: `stopped after batch ${batch} (key ${showKey(lo)}); resume continues from there`,
      details,
    };
  }
  progress.finish();
  const skippedText = skipped ? `, ${count(skipped)} skipped (${skippedBecause})` : '';
  const summary = `copied ${count(rows)} rows in ${batch} batches${skippedText}, up to key ${showKey(max)}`;
  ctx.output(`${summary}\n`);
  return { ok: true, rows, summary, details };
}
