import type { BackfillProgressData } from '../../journal/backfill-progress-data.js';
import type { TotalEstimate } from './estimate-total.js';
import { type KeyValue, showKey } from './keyset-sql.js';

const everyMs = 250;
const alpha = 0.3;

const count = (n: number) => Math.round(n).toLocaleString('en-US');

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`;
}

// Rows, rate, ETA and current key for the screen, at most four times a second.
export class BackfillProgress {
  private rate?: number;
  private lastAt = 0;
  private lastBatchEnd = performance.now();
  private key?: KeyValue;
  private batchSize: number;
  private finished = false;

  constructor(
    private readonly report: (message: string, data: BackfillProgressData) => void,
    private readonly estimate: TotalEstimate,
    private rows: number,
    private skipped: number,
    batchSize: number,
    private readonly keyNumber: (key: KeyValue | undefined) => number | undefined,
  ) {
    this.batchSize = batchSize;
  }

  get data(): BackfillProgressData {
    const processed = this.rows + this.skipped;
    const total = this.finished ? processed : this.estimate.total(processed, this.keyNumber(this.key));
    const etaMs = total !== undefined && this.rate ? ((total - processed) * 1000) / this.rate : undefined;
    return {
      rows: this.rows,
      skipped: this.skipped,
      total,
      rate: this.rate === undefined ? undefined : Math.round(this.rate),
      etaMs: etaMs === undefined ? undefined : Math.max(0, Math.round(etaMs)),
      key: this.key ? showKey(this.key) : undefined,
      batchSize: this.batchSize,
    };
  }

  message(d: BackfillProgressData = this.data): string {
    const parts = [
      d.total !== undefined
        ? `${count(d.rows + d.skipped)} / ${count(d.total)} rows`
        : `${count(d.rows)} rows`,
    ];
    if (d.rate !== undefined) parts.push(`${count(d.rate)} rows/s`);
    if (d.etaMs !== undefined) parts.push(`ETA ${clock(d.etaMs)}`);
    parts.push(`batch ${d.batchSize}`);
    if (d.key !== undefined) parts.push(`key ${d.key}`);
    return parts.join(' · ');
  }

  batch(b: { rows: number; skipped: number; lo: KeyValue; hi: KeyValue; nextSize: number }): void {
    const now = performance.now();
    const scanned = b.rows + b.skipped;
    const observed = (scanned * 1000) / Math.max(1, now - this.lastBatchEnd);
    this.lastBatchEnd = now;
    this.rate = this.rate === undefined ? observed : alpha * observed + (1 - alpha) * this.rate;
    this.rows += b.rows;
    this.skipped += b.skipped;
    this.key = b.hi;
    this.batchSize = b.nextSize;
    this.estimate.observe(scanned, this.keyNumber(b.lo), this.keyNumber(b.hi));
    this.emit();
  }

  // Time spent waiting (pause, throttle, lock backoff) is not counted as batch time.
  waited(): void {
    this.lastBatchEnd = performance.now();
  }

  // A state worth showing at once (paused, throttled, waiting for a lock).
  notice(text: string): void {
    this.report(`${text} · ${this.message()}`, { ...this.data, state: text });
  }

  // Every row is through: the total is exact now.
  finish(): void {
    this.finished = true;
    this.emit(true);
  }

  emit(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastAt < everyMs) return;
    this.lastAt = now;
    const data = this.data;
    this.report(this.message(data), data);
  }
}
