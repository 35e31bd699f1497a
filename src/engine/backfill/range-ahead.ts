import type { DbConnection } from '../../db/connection.js';
import { type BatchTimeouts, setBatchTimeouts } from './batch-timeouts.js';
import { type KeyValue, sameKey } from './keyset-sql.js';
import type { BatchProbe, Probed } from './probe-batch.js';

// A probe reads as many index entries as its batch has rows, about a tenth of the batch's time.
// Run on a session of its own while the batch before copies, it costs the copy nothing.
// Undefined `found`: no row is left after lo.
export interface RangeFound {
  found: Probed | undefined;
  size: number;
}

// A smaller range is found in the batch's own transaction: its probe costs less than the round
// trips of a transaction of its own.
const worthAhead = 10_000;

// How far over the size wanted a range found ahead may be: the adaptive size moves less than
// that between two batches at a steady speed. A smaller range is used (the growth waits a batch).
const overWanted = 1.25;

// Finds the next batch's key range while the current batch runs. Only on a server: PGlite has
// one session, where the probe would wait for the very transaction that waits for it.
export class RangeAhead {
  private pending?: { lo: KeyValue; size: number; found: Promise<Probed | undefined | 'failed'> };

  constructor(
    private readonly db: DbConnection,
    private readonly probe: BatchProbe,
    private readonly max: KeyValue,
    private readonly timeouts: BatchTimeouts,
  ) {}

  // Starts finding the range of `size` rows after lo. A failure here is not the batch's: the
  // batch finds its range itself, and meets the error there if it lasts.
  start(lo: KeyValue, size: number): void {
    this.pending = undefined;
    if (this.db.driver !== 'postgres' || size < worthAhead || sameKey(lo, this.max)) return;
    const found = this.db
      .transaction(
        async (tx) => {
          await setBatchTimeouts(tx, this.timeouts);
          return this.probe.find(tx, lo, this.max, size);
        },
        { readOnly: true },
      )
      .catch(() => 'failed' as const);
    this.pending = { lo, size, found };
  }

  // The range found ahead from lo when it suits the size wanted; `exact` (the operator chose the
  // size) takes only that size. Undefined: the batch finds its range itself.
  async take(lo: KeyValue, size: number, exact: boolean): Promise<RangeFound | undefined> {
    const ahead = this.pending;
    this.pending = undefined;
    if (!ahead || !sameKey(ahead.lo, lo)) return undefined;
    if (exact ? ahead.size !== size : ahead.size > size * overWanted) return undefined;
    const found = await ahead.found;
    return found === 'failed' ? undefined : { found, size: ahead.size };
  }
}
