// Estimated number of rows the backfill will go through. For an integer key it follows the key
// range: rows seen per key so far times the keys left (gaps make it shrink as the copy learns);
// otherwise the planner's reltuples. It becomes exact when the copy ends.
export class TotalEstimate {
  private seenRows = 0;
  private seenKeys = 0;

  constructor(
    private readonly range: { lo: number; max: number } | undefined,
    private readonly reltuples: number,
  ) {}

  // `rows` scanned (copied or skipped) in a batch that ended at key `hi`, after starting at `lo`.
  observe(rows: number, lo: number | undefined, hi: number | undefined): void {
    this.seenRows += rows;
    if (lo !== undefined && hi !== undefined) this.seenKeys += hi - lo;
  }

  total(processed: number, lastKey: number | undefined): number | undefined {
    if (this.range) {
      const { lo, max } = this.range;
      const density =
        this.seenKeys > 0
          ? this.seenRows / this.seenKeys
          : this.reltuples > 0
            ? Math.min(1, this.reltuples / Math.max(1, max - lo))
            : 1;
      const left = Math.max(0, max - (lastKey ?? lo));
      return Math.round(processed + left * density);
    }
    return this.reltuples > 0 ? Math.max(Math.round(this.reltuples), processed) : undefined;
  }
}
