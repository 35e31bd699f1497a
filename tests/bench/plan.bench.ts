import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath } from '../helpers/run-cli.js';
import { type Benchmark, type BenchResult, median } from './benchmark.js';
import { writePlanRunbook } from './plan-runbook.js';
import { timeProcess } from './time-process.js';

const phases = 10;
const stepsPerPhase = 20;
const rounds = 11;

async function timed(args: string[], what: string): Promise<number> {
  const env = { ...process.env, CI: undefined, BENCH_APP_URL: undefined, BENCH_API_TOKEN: undefined };
  const run = await timeProcess(process.execPath, args, { env });
  if (run.exitCode !== 0) throw new Error(`${what} exited ${run.exitCode}: ${run.stderr}`);
  return run.ms;
}

// `stepwise plan` of a 200-step runbook, whole process, against `node -e ''` (Node's own
// start-up) and `stepwise --help` (which loads every subcommand) in the same rounds.
export const planBenchmark: Benchmark = {
  name: 'plan',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-plan-'));
    try {
      const runbook = writePlanRunbook(dir, phases, stepsPerPhase);
      const plan = [cliPath, 'plan', runbook, '--state-dir', join(dir, 'state')];
      await timed(plan, 'stepwise plan');
      const loadBefore = loadavg()[0];
      const node: number[] = [];
      const help: number[] = [];
      const ours: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        node.push(await timed(['-e', ''], "node -e ''"));
        help.push(await timed([cliPath, '--help'], 'stepwise --help'));
        ours.push(await timed(plan, 'stepwise plan'));
      }
      const ms = median(ours);
      return [
        {
          name: `plan of a ${phases * stepsPerPhase}-step runbook vs node start-up`,
          value: Math.round(ms),
          unit: 'ms',
          baseline: Math.round(median(node)),
          ratio: Number(median(ours.map((o, i) => o / node[i])).toFixed(2)),
          target: '< 500 ms',
          pass: ms < 500,
          details: {
            steps: phases * stepsPerPhase,
            plan_ms: ours.map(Math.round),
            node_start_ms: node.map(Math.round),
            help_ms: help.map(Math.round),
            ratio_to_help: Number(median(ours.map((o, i) => o / help[i])).toFixed(2)),
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
