// What a backfill reports in the data of its step.progress events: the one shape the engine
// writes and the screen reads. The journal keeps the data as it was written, so a reader takes it
// through backfillProgressOf, which keeps only the fields of the right type.
export type BackfillProgressData = {
  /** Rows copied and rows skipped (ON CONFLICT) so far. */
  rows: number;
  skipped: number;
  /** The rows the source holds, estimated until the last batch (then exact). */
  total?: number;
  /** Rows per second, smoothed over the batches. */
  rate?: number;
  etaMs?: number;
  /** The last key copied, as shown. */
  key?: string;
  /** The batch size the next batch uses. */
  batchSize: number;
  /** A state worth showing at once: paused, throttled, waiting for a lock. */
  state?: string;
};

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function backfillProgressOf(data: Record<string, unknown> | undefined): Partial<BackfillProgressData> {
  if (!data) return {};
  return {
    rows: finite(data.rows),
    skipped: finite(data.skipped),
    total: finite(data.total),
    rate: finite(data.rate),
    etaMs: finite(data.etaMs),
    key: typeof data.key === 'string' ? data.key : undefined,
    batchSize: finite(data.batchSize),
    state: typeof data.state === 'string' ? data.state : undefined,
  };
}
