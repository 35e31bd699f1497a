import { StepwiseError } from '../../errors/stepwise-error.js';
import type { DbConnection } from '../../db/connection.js';
import type { ExecContext } from '../executor.js';
import { type Checkpoint, createCheckpoint, deleteCheckpoint, readCheckpoint } from './checkpoint-store.js';
import type { SourceTable } from './inspect-source.js';
import { journalKey } from './journal-key.js';
import { maxKey } from './key-bounds.js';

// Where this attempt starts: the checkpoint on the target database, reconciled with the journal.
// The checkpoint commits with each batch and the journal event follows it, so after a crash in
// between the checkpoint is one batch ahead: it wins, and the journal catches up here.
// Undefined when the source table is empty.
export async function resumeCheckpoint(
  ctx: ExecContext,
  source: DbConnection,
  target: DbConnection,
  table: SourceTable,
): Promise<Checkpoint | undefined> {
  const { runId } = ctx;
  const step = ctx.step.id;
  const journaled = ctx.committed.count;
  let found = await readCheckpoint(target, runId, step);
  if (found && found.batch === journaled + 1 && found.hi) {
    ctx.commitBatch({
      batch: found.batch,
      lo: journalKey(found.last.lo, table.key),
      hi: journalKey(found.hi, table.key),
      rows: found.last.rows,
      skipped: found.last.skipped,
      size: found.last.size,
      duration_ms: found.last.ms,
    });
    ctx.output(`batch ${found.batch} committed before the process stopped; recorded in the journal now\n`);
  } else if (found && found.batch !== journaled) {
    if (journaled > 0) {
      throw new StepwiseError(
        `backfill ${step}: the checkpoint on ${target.name} says ${found.batch} batches, the journal ${journaled}; the database does not match this run (restored from a backup?). Delete its row in stepwise.backfill_checkpoint to copy again from the start`,
        'stepFailed',
      );
    }
    // The journal restarted its count (the step was rolled back): so does the copy.
    ctx.output(`starting afresh: the checkpoint of ${found.batch} batches is from before a rollback\n`);
    await deleteCheckpoint(target, runId, step);
    found = undefined;
  }
  if (found) return found;
  const max = await maxKey(source, table);
  if (!max) return undefined;
  await createCheckpoint(target, runId, step, max);
  return readCheckpoint(target, runId, step);
}
