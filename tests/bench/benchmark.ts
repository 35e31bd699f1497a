// One measured figure of a benchmark, with the baseline it is compared to in the same run.
export interface BenchResult {
  name: string;
  // What was measured and how it compares, e.g. "rows/s" and "ratio ≥ 0.8".
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target?: string;
  pass?: boolean;
  details?: Record<string, unknown>;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchResult[]>;
}

// Rounds run interleaved (baseline, then ours) and are compared in pairs: the median of the
// per-round figures, so one round disturbed by a noisy neighbour does not decide the result.
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
