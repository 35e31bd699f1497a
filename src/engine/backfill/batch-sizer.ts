export const minBatch = 10;
// The target duration is what bounds a batch; this only caps a size taken from a wrong estimate.
export const maxBatch = 1_000_000;
// Weight kept by the earlier batches at each new one.
const decay = 0.7;

export function clampBatch(size: number): number {
  return Math.min(maxBatch, Math.max(minBatch, Math.round(size)));
}

// Picks the next batch size so a batch takes about `targetMs`, from the rows per second of the
// recent batches weighted by their time: a long batch counts for more than a short one, so the
// small first batch (its time mostly round trips) does not hold back the growth, and a batch that
// ran slow brings the size down at once.
export class BatchSizer {
  private rows = 0;
  private ms = 0;
  private size: number;

  constructor(
    initial: number,
    private readonly targetMs: number,
  ) {
    this.size = clampBatch(initial);
  }

  // Rows per second, averaged; undefined before the first batch.
  get rowsPerSecond(): number | undefined {
    return this.rows > 0 ? (this.rows * 1000) / this.ms : undefined;
  }

  observe(rows: number, ms: number): void {
    if (rows <= 0) return;
    this.rows = decay * this.rows + rows;
    this.ms = decay * this.ms + Math.max(ms, 1);
    this.size = clampBatch(((this.rowsPerSecond ?? 0) * this.targetMs) / 1000);
  }

  // After a statement timeout: a quarter of the size, and the rate forgotten.
  shrink(): void {
    this.rows = 0;
    this.ms = 0;
    this.size = clampBatch(this.size / 4);
  }

  // The operator's live choice wins over the adaptive size.
  next(override?: number): number {
    return override !== undefined && override > 0 ? Math.round(override) : this.size;
  }
}
