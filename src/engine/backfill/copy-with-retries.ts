import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecContext } from '../executor.js';
import type { BackfillProgress } from './backfill-progress.js';
import type { BatchSizer } from './batch-sizer.js';
import type { BatchTimeouts } from './batch-timeouts.js';
import type { BatchOutcome, CopyBatch } from './copy-batch.js';
import type { KeyValue } from './keyset-sql.js';
import { LockBackoff } from './lock-backoff.js';
import { lockNotAvailable, queryCanceled, sqlState } from '../../db/sql-state.js';

// A batch that outlives statement_timeout is retried smaller this many times before failing.
const statementTimeoutRetries = 3;

export type CopyResult = { kind: 'copied'; outcome: BatchOutcome } | { kind: 'done' } | { kind: 'cancelled' };

// One batch, retried while it only waited for a lock (lock_timeout: 1 s, 2 s … 60 s backoff, shown
// in the output) or ran into statement_timeout (a quarter of the size, at most three times).
export class CopyWithRetries {
  private readonly backoff = new LockBackoff();

  constructor(
    private readonly copy: CopyBatch,
    private readonly ctx: ExecContext,
    private readonly sizer: BatchSizer,
    private readonly progress: BackfillProgress,
    private readonly timeouts: BatchTimeouts,
  ) {}

  async run(lo: KeyValue, batch: number): Promise<CopyResult> {
    const { ctx } = this;
    let timeouts = 0;
    for (;;) {
      const chosen = ctx.controls.batchSize();
      const size = this.sizer.next(chosen);
      if (ctx.signal.aborted) return { kind: 'cancelled' };
      try {
        const exact = chosen !== undefined && chosen > 0;
        const outcome = await this.copy(lo, size, batch, exact);
        this.backoff.reset();
        return outcome ? { kind: 'copied', outcome } : { kind: 'done' };
      } catch (error) {
        if (ctx.signal.aborted) return { kind: 'cancelled' };
        const state = sqlState(error);
        if (state === lockNotAvailable) {
          const wait = this.backoff.nextDelayMs();
          ctx.output(
            `batch ${batch}: lock timeout (${this.timeouts.lockMs} ms), retrying in ${wait / 1000} s\n`,
          );
          this.progress.notice(`waiting for a lock, retry in ${wait / 1000} s`);
          await sleep(wait, undefined, { signal: ctx.signal }).catch(() => undefined);
          this.progress.waited();
          continue;
        }
        if (state === queryCanceled && timeouts < statementTimeoutRetries) {
          timeouts++;
          this.sizer.shrink();
          ctx.output(
            `batch ${batch}: statement timeout (${this.timeouts.statementMs} ms), retrying with ${this.sizer.next()} rows\n`,
          );
          continue;
        }
        throw error;
      }
    }
  }
}
