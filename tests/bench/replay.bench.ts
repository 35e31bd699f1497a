import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Benchmark, type BenchResult, median } from './benchmark.js';
import { writeReplayJournal } from './replay-journal.js';

const events = 100_000;
const rounds = 5;
const child = join(import.meta.dirname, 'replay-child.ts');

// Each replay in a fresh process, so every round is as cold as a real resume.
function replayOnce(mode: 'stepwise' | 'parse', path: string): { ms: number; readMs: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', child, mode, path], { encoding: 'utf8' });
  const result = JSON.parse(out) as { ms: number; readMs: number; events: number };
  if (result.events !== events) throw new Error(`${mode} read ${result.events} events, expected ${events}`);
  return result;
}

export const replayBenchmark: Benchmark = {
  name: 'replay',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-replay-'));
    try {
      const path = join(dir, 'journal.jsonl');
      const writeStarted = performance.now();
      writeReplayJournal(path, events, true);
      const writeMs = performance.now() - writeStarted;
      const loadBefore = loadavg()[0];
      const parse: number[] = [];
      const ours: Array<{ ms: number; readMs: number }> = [];
      for (let round = 1; round <= rounds; round++) {
        parse.push(replayOnce('parse', path).ms);
        ours.push(replayOnce('stepwise', path));
      }
      const ms = median(ours.map((o) => o.ms));
      const ratio = median(ours.map((o, i) => o.ms / parse[i]));
      return [
        {
          name: 'replay 100,000-event journal (readJournal + replay)',
          value: Math.round(ms),
          unit: 'ms',
          baseline: Math.round(median(parse)),
          ratio: Number(ratio.toFixed(2)),
          target: '< 1000 ms (baseline: read + JSON.parse)',
          pass: ms < 1000,
          details: {
            events,
            bytes: statSync(path).size,
            write_ms: Math.round(writeMs),
            replay_ms: ours.map((o) => Math.round(o.ms)),
            // readJournal (every line's hash checked against the chain), then reduce.
            read_journal_ms: ours.map((o) => Math.round(o.readMs)),
            reduce_ms: ours.map((o) => Math.round(o.ms - o.readMs)),
            parse_ms: parse.map(Math.round),
            // 1-minute load average before and after: other work on the machine slows every figure.
            load_average: [loadBefore, loadavg()[0]],
          },
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
