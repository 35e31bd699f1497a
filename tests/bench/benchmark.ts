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
