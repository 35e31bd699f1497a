import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintRunbook } from '../../src/runbook/lint-runbook.js';
import { type Benchmark, type BenchResult, median } from './benchmark.js';

const small = 5_000;
const large = 50_000;
const rounds = 5;

// A runbook of `keys` YAML keys: steps of every kind lint reads closely (sql with a :name
// parameter and a warning, checks, manual steps), five keys per step (a check's keys nested).
function writeRunbook(dir: string, keys: number): string {
  let yaml = 'version: 1\nname: bench-lint\nvars:\n  tenant: { default: acme }\nconnections:\n  app: { embedded: bench }\nphases:\n- id: main\n  steps:\n';
  // Flow mappings, one step a line: 50,000 keys stay under the 1 MB cap.
  for (let s = 0; s < keys / 5; s++) {
    if (s % 3 === 0) yaml += `  - {id: s${s}, sql: "UPDATE t SET a = :tenant", confirm: true, title: u, idempotent: true}\n`;
    else if (s % 3 === 1) yaml += `  - {id: s${s}, check: {sql: SELECT 0 AS n, expect: {n: 0}}, title: c}\n`;
    else yaml += `  - {id: s${s}, manual: m, title: m, timeout: 1m, idempotent: true}\n`;
  }
  const path = join(dir, `runbook-${keys}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

async function lintMs(path: string, warnings: number): Promise<number> {
  const started = performance.now();
  const { diagnostics } = await lintRunbook(path, { env: {} });
  const ms = performance.now() - started;
  if (diagnostics.length !== warnings) throw new Error(`${path}: ${diagnostics.length} findings, expected ${warnings}`);
  return ms;
}

// `stepwise lint` time grows with the runbook, not faster: per-key time at 50,000 keys against
// 5,000 (the 1 MB cap on a runbook holds about 50,000). In one process, after a warm-up lint,
// rounds interleaved.
export const lintBenchmark: Benchmark = {
  name: 'lint',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-lint-'));
    try {
      const paths = { small: writeRunbook(dir, small), large: writeRunbook(dir, large) };
      // One missing-where warning per sql step (every third step).
      const warnings = (keys: number) => Math.ceil(keys / 5 / 3);
      await lintMs(paths.small, warnings(small));
      const times = { small: [] as number[], large: [] as number[] };
      for (let round = 1; round <= rounds; round++) {
        times.small.push(await lintMs(paths.small, warnings(small)));
        times.large.push(await lintMs(paths.large, warnings(large)));
      }
      const perKey = (ms: number[], keys: number) => median(ms) / keys;
      const ratio = perKey(times.large, large) / perKey(times.small, small);
      return [
        {
          name: 'lint per-key time, 50,000 keys vs 5,000',
          value: Math.round(median(times.large)),
          unit: 'ms',
          baseline: Math.round(median(times.small)),
          ratio: Number(ratio.toFixed(2)),
          target: 'per-key ratio ≤ 1.5',
          pass: ratio <= 1.5,
          details: {
            keys: [small, large],
            bytes: [statSync(paths.small).size, statSync(paths.large).size],
            small_ms: times.small.map(Math.round),
            large_ms: times.large.map(Math.round),
          },
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
