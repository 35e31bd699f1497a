// `npm run bench [-- name…]`: runs each benchmark module, prints a table and merges the figures
// into tests/bench/results.json by name. Add a benchmark by adding its module to the list.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { attachBenchmark } from './attach.bench.js';
import { backfillBenchmark } from './backfill.bench.js';
import type { Benchmark, BenchResult } from './benchmark.js';
import { compareBenchmark } from './compare.bench.js';
import { idleBenchmark } from './idle.bench.js';
import { lightBenchmark } from './light.bench.js';
import { lintBenchmark } from './lint.bench.js';
import { openBenchmark } from './open.bench.js';
import { engineBenchmark } from './engine.bench.js';
import { outputBenchmark } from './output.bench.js';
import { planBenchmark } from './plan.bench.js';
import { replayBenchmark } from './replay.bench.js';
import { teamJournalBenchmark } from './team-journal.bench.js';
import { teamWatchBenchmark } from './team-watch.bench.js';

const benchmarks: Benchmark[] = [
  backfillBenchmark,
  compareBenchmark,
  outputBenchmark,
  replayBenchmark,
  openBenchmark,
  planBenchmark,
  lightBenchmark,
  engineBenchmark,
  attachBenchmark,
  lintBenchmark,
  teamWatchBenchmark,
  teamJournalBenchmark,
  idleBenchmark,
];
const resultsPath = join(import.meta.dirname, 'results.json');

interface StoredResult extends BenchResult {
  benchmark: string;
  at: string;
  // The machine's 1-minute load average before and after the benchmark, and its cores: the
  // figures of a busy machine are not those of a quiet one.
  load: { before: number; after: number; cores: number };
}

function table(results: StoredResult[]): string {
  const head = ['benchmark', 'value', 'baseline', 'ratio', 'target', 'load', ''];
  const body = results.map((r) => [
    r.name,
    `${r.value.toLocaleString('en-US')} ${r.unit}`,
    r.baseline === undefined ? '' : `${r.baseline.toLocaleString('en-US')} ${r.unit}`,
    r.ratio === undefined ? '' : String(r.ratio),
    r.target ?? '',
    `${r.load.before.toFixed(1)}→${r.load.after.toFixed(1)}`,
    r.pass === undefined ? '' : r.pass ? 'ok' : 'MISSED',
  ]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i].length)));
  return [head, ...body]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const wanted = process.argv.slice(2);
const chosen = wanted.length ? benchmarks.filter((b) => wanted.includes(b.name)) : benchmarks;
const fresh: StoredResult[] = [];
for (const bench of chosen) {
  process.stdout.write(`running ${bench.name} …\n`);
  const at = new Date().toISOString();
  const before = loadavg()[0];
  const results = await bench.run();
  const load = { before, after: loadavg()[0], cores: availableParallelism() };
  for (const result of results) fresh.push({ ...result, benchmark: bench.name, at, load });
}
const previous: StoredResult[] = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : [];
const merged = [...previous.filter((p) => !fresh.some((f) => f.name === p.name)), ...fresh];
writeFileSync(resultsPath, `${JSON.stringify(merged, null, 2)}\n`);
process.stdout.write(`\n${table(fresh)}\n\nwritten to ${resultsPath}\n`);
if (fresh.some((r) => r.pass === false)) process.exitCode = 1;
