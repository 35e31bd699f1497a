// The backfill's `+` and `-`: double or halve, within the engine's 10 to 100,000 rows.
export function nextBatchSize(current: number, direction: 'up' | 'down'): number {
  const next = direction === 'up' ? current * 2 : current / 2;
  return Math.min(100_000, Math.max(10, Math.round(next)));
}
