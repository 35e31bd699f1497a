import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { journalPath, listRunIds } from '../../src/journal/state-dir.js';
import { TmuxSession } from '../e2e/tmux-session.js';
import { cliPath, readEvents } from '../helpers/run-cli.js';
import { type Benchmark, type BenchResult, median } from './benchmark.js';
import { peakRssKb, timeProcess, waitUntilIdle } from './time-process.js';

// A step printing 500,000 lines of 65 characters (33 MB), against the same command spawned
// directly with its output read through a pipe and thrown away.
const lines = 500_000;
const format = 'log line %08.0f: copied one batch of rows into the target table';
const command = ['seq', '-f', format, '1', String(lines)];
// Plain rounds are short; a TUI round starts a tmux server. Single rounds on this kind of
// machine range from 0.9 to 1.8 times the bare command: medians need many of them.
const rounds = { plain: 15, tui: 11 };
// A screen's process stays light however much the step prints; the plain printer has more room.
const memoryLimitMb = { plain: 200, tui: 120 };
const benchToken = 'tok-5f2b9c1e';

// A secret is in play, as in production (a database password): the output is masked as it streams.
function runbookYaml(argv: string[]): string {
  return `version: 1
name: bench-output
vars:
  token: { env: BENCH_TOKEN, secret: true }
phases:
  - id: output
    steps:
      - id: print
        title: Print ${argv.length > 2 ? `${lines.toLocaleString('en-US')} lines` : 'one line'}
        run: ${JSON.stringify(argv)}
`;
}

interface StepRun {
  // The whole stepwise process (plain), or from the enter key to step.succeeded (TUI).
  wallMs: number;
  // The step's own duration, as journaled in step.succeeded.
  stepMs: number;
  peakKb: number;
}

function succeeded(stateDir: string): { duration_ms: number } | undefined {
  const [runId] = listRunIds(stateDir);
  if (runId === undefined) return undefined;
  const event = readEvents(journalPath(stateDir, runId)).find((e) => e.type === 'step.succeeded');
  return event as { duration_ms: number } | undefined;
}

function cliEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: undefined,
    DATABASE_URL: undefined,
    STEPWISE_OPERATOR: 'bench',
    BENCH_TOKEN: benchToken,
  };
}

async function bare(): Promise<{ pipe: number; devNull: number }> {
  const pipe = await timeProcess(command[0], command.slice(1));
  const devNull = await timeProcess(command[0], command.slice(1), { stdout: 'ignore' });
  if (pipe.stdoutBytes < lines * 60) throw new Error(`${command[0]} printed only ${pipe.stdoutBytes} bytes`);
  return { pipe: pipe.ms, devNull: devNull.ms };
}

async function plain(runbook: string, stateDir: string): Promise<StepRun> {
  const args = [cliPath, 'run', runbook, '--plain', '--state-dir', stateDir];
  const run = await timeProcess(process.execPath, args, { env: cliEnv(), memory: true });
  const step = succeeded(stateDir);
  if (run.exitCode !== 0 || !step)
    throw new Error(`stepwise run --plain exited ${run.exitCode}: ${run.stderr}`);
  if (run.peakKb === undefined) throw new Error('could not read the peak memory of stepwise');
  return { wallMs: run.ms, stepMs: step.duration_ms, peakKb: run.peakKb };
}

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// The TUI in a 120×36 tmux pane: enter runs the step (off production nothing more is asked);
// done when the journal has step.succeeded. The peak memory is read then, while stepwise still runs.
async function tui(runbook: string, stateDir: string): Promise<StepRun> {
  const session = new TmuxSession({ width: 120, height: 36, env: { BENCH_TOKEN: benchToken } });
  try {
    const pane = session.start(['run', runbook, '--state-dir', stateDir]);
    await session.waitFor(pane, 'enter run');
    const shell = Number(session.tmux('display-message', '-p', '-t', pane, '#{pane_pid}').trim());
    const [stepwise] = childPids(shell);
    if (stepwise === undefined) throw new Error('stepwise is not running in the tmux pane');
    await waitUntilIdle(stepwise);
    const started = performance.now();
    session.keys(pane, 'Enter');
    let peakKb = 0;
    const deadline = Date.now() + 60_000;
    for (;;) {
      peakKb = Math.max(peakKb, peakRssKb(stepwise) ?? 0);
      const step = succeeded(stateDir);
      if (step) return { wallMs: performance.now() - started, stepMs: step.duration_ms, peakKb };
      if (Date.now() > deadline)
        throw new Error(`the step did not succeed in the TUI:\n${session.screen(pane)}`);
      await sleep(10);
    }
  } finally {
    await session.kill();
  }
}

type Mode = (runbook: string, stateDir: string) => Promise<StepRun>;

interface Measured {
  bare: Array<{ pipe: number; devNull: number }>;
  runs: StepRun[];
  // The same front end running a step that prints one line: what the output adds to memory.
  quiet: StepRun[];
  // 1-minute load average before and after: other work on the machine slows every figure.
  loadAverage: number[];
}

async function measure(mode: Mode, dir: string, label: 'plain' | 'tui'): Promise<Measured> {
  const loud = join(dir, 'loud.yaml');
  const quiet = join(dir, 'quiet.yaml');
  writeFileSync(loud, runbookYaml(command));
  writeFileSync(quiet, runbookYaml(['echo', 'one line']));
  const measured: Measured = { bare: [], runs: [], quiet: [], loadAverage: [loadavg()[0]] };
  for (let round = 1; round <= rounds[label]; round++) {
    const stateDir = join(dir, `${label}-${round}`);
    measured.bare.push(await bare());
    measured.runs.push(await mode(loud, stateDir));
    // 33 MB of step log per round.
    rmSync(stateDir, { recursive: true, force: true });
    measured.quiet.push(await mode(quiet, `${stateDir}-quiet`));
  }
  measured.loadAverage.push(loadavg()[0]);
  return measured;
}

const mb = (kb: number) => Math.round(kb / 1024);

function results(m: Measured, label: string, target: number, wall: string, limitMb: number): BenchResult[] {
  const stepMs = median(m.runs.map((r) => r.stepMs));
  const ratio = median(m.runs.map((r, i) => r.stepMs / m.bare[i].pipe));
  const peakKb = Math.max(...m.runs.map((r) => r.peakKb));
  return [
    {
      name: `step printing 500,000 lines, ${label}: step duration vs bare command`,
      value: stepMs,
      unit: 'ms',
      baseline: Math.round(median(m.bare.map((b) => b.pipe))),
      ratio: Number(ratio.toFixed(2)),
      target: `ratio ≤ ${target}`,
      pass: ratio <= target,
      details: {
        lines,
        command: command.join(' '),
        step_ms: m.runs.map((r) => r.stepMs),
        bare_pipe_ms: m.bare.map((b) => Math.round(b.pipe)),
        bare_dev_null_ms: m.bare.map((b) => Math.round(b.devNull)),
        wall_what: wall,
        wall_ms: m.runs.map((r) => Math.round(r.wallMs)),
        wall_ratio: Number(median(m.runs.map((r, i) => r.wallMs / m.bare[i].pipe)).toFixed(2)),
        load_average: m.loadAverage,
      },
    },
    {
      name: `step printing 500,000 lines, ${label}: peak memory of stepwise`,
      value: mb(peakKb),
      unit: 'MB',
      baseline: mb(median(m.quiet.map((q) => q.peakKb))),
      ratio: Number((peakKb / median(m.quiet.map((q) => q.peakKb))).toFixed(2)),
      target: `< ${limitMb} MB (baseline: a one-line step)`,
      pass: mb(peakKb) < limitMb,
      details: {
        peak_mb: m.runs.map((r) => mb(r.peakKb)),
        one_line_step_peak_mb: m.quiet.map((q) => mb(q.peakKb)),
      },
    },
  ];
}

export const outputBenchmark: Benchmark = {
  name: 'output',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-output-'));
    try {
      const out = results(await measure(plain, dir, 'plain'), '--plain', 1.2, 'the whole stepwise process', memoryLimitMb.plain);
      if (!hasTmux()) {
        process.stdout.write('tmux is not installed: the TUI half of the output benchmark is skipped\n');
        return out;
      }
      const wall = 'from the enter key to step.succeeded in the journal';
      return [...out, ...results(await measure(tui, dir, 'tui'), 'TUI', 1.5, wall, memoryLimitMb.tui)];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
