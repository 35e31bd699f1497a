export const minBatch = 10;
export const maxBatch = 100_000;
// Weight of the newest observation in the decaying average of the rate.
const alpha = 0.3;

export function clampBatch(size: number): number {
  return Math.min(maxBatch, Math.max(minBatch, Math.round(size)));
}

// Picks the next batch size so a batch takes about `targetMs`, from an exponentially decaying
// average of the observed rows per second.
export class BatchSizer {
  private rate?: number;
  private size: number;

  constructor(
    initial: number,
    private readonly targetMs: number,
  ) {
    this.size = clampBatch(initial);
  }

  // Rows per second, averaged; undefined before the first batch.
  get rowsPerSecond(): number | undefined {
    return this.rate;
  }

  observe(rows: number, ms: number): void {
    if (rows <= 0) return;
    const observed = (rows * 1000) / Math.max(ms, 1);
    this.rate = this.rate === undefined ? observed : alpha * observed + (1 - alpha) * this.rate;
    this.size = clampBatch((this.rate * this.targetMs) / 1000);
  }

  // After a statement timeout: a quarter of the size, and the rate forgotten.
  shrink(): void {
    this.rate = undefined;
    this.size = clampBatch(this.size / 4);
  }

  // The operator's live choice wins over the adaptive size.
  next(override?: number): number {
    return override !== undefined && override > 0 ? Math.round(override) : this.size;
  }
}
