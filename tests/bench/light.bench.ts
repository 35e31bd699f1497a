import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { journalPath } from '../../src/journal/state-dir.js';
import { cliPath } from '../helpers/run-cli.js';
import { type Benchmark, type BenchResult, median } from './benchmark.js';
import { writePlanRunbook } from './plan-runbook.js';
import { writeReplayJournal } from './replay-journal.js';
import { cpuOfProcess } from './time-process.js';

const rounds = 11;

// Read-only commands load only what they use: their whole-process CPU time against `node -e 0`
// (Node's own start-up) in the same rounds. status lists a state dir holding one finished run
// of 2,000 events; plan previews a 200-step runbook.
export const lightBenchmark: Benchmark = {
  name: 'light',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-light-'));
    try {
      const stateDir = join(dir, 'state');
      const journal = journalPath(stateDir, 'bench-replay-20260101T000000Z');
      mkdirSync(dirname(journal), { recursive: true });
      writeReplayJournal(journal, 2000);
      const runbook = writePlanRunbook(dir, 10, 20);
      const env = { ...process.env, CI: undefined, BENCH_APP_URL: undefined, BENCH_API_TOKEN: undefined };
      const commands = {
        status: [cliPath, 'status', '--state-dir', stateDir],
        plan: [cliPath, 'plan', runbook, '--state-dir', stateDir],
      };
      const node: number[] = [];
      const cpu: Record<keyof typeof commands, number[]> = { status: [], plan: [] };
      for (let round = 0; round <= rounds; round++) {
        const base = await cpuOfProcess(process.execPath, ['-e', '0'], env);
        const status = await cpuOfProcess(process.execPath, commands.status, env);
        const plan = await cpuOfProcess(process.execPath, commands.plan, env);
        // Round 0 warms the file cache.
        if (round === 0) continue;
        node.push(base);
        cpu.status.push(status);
        cpu.plan.push(plan);
      }
      const row = (what: keyof typeof commands, title: string, limit: number): BenchResult => {
        const ratio = median(cpu[what].map((c, i) => c / node[i]));
        return {
          name: title,
          value: Math.round(median(cpu[what])),
          unit: 'ms CPU',
          baseline: Math.round(median(node)),
          ratio: Number(ratio.toFixed(2)),
          target: `ratio ≤ ${limit}`,
          pass: ratio <= limit,
          details: { cpu_ms: cpu[what].map(Math.round), node_cpu_ms: node.map(Math.round) },
        };
      };
      return [
        row('status', 'status CPU vs node -e 0 (one run of 2,000 events)', 2),
        row('plan', 'plan of a 200-step runbook, CPU vs node -e 0', 2.5),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
