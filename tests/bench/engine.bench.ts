import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineClient } from '../../src/client/engine-client.js';
import type { JournalEvent } from '../../src/journal/events.js';
import { readEngineRecord } from '../../src/protocol/engine-record.js';
import { TmuxSession } from '../e2e/tmux-session.js';
import { onlyRunId } from '../helpers/engine-watch.js';
import { cliPath, readEvents } from '../helpers/run-cli.js';
import { type Benchmark, type BenchResult, median } from './benchmark.js';
import { screenLatencies } from './frame-log.js';
import { timeProcess, waitUntilIdle } from './time-process.js';

// The run's engine in its own process with clients attached over its socket: a step printing
// 500,000 lines with nobody attached, with an operator's TUI (`stepwise attach` in tmux) and one
// watcher, or with 10 watchers. The first step waits for a file, so the clients are attached and
// settled before the output starts; the run then waits at a two-person gate, where the engine's
// CPU time is read from /proc before it is stopped. The TUI notes every frame it draws
// (STEPWISE_FRAME_LOG), which gives the time from the engine's append to the screen.
const lines = 500_000;
const format = 'log line %08.0f: copied one batch of rows into the target table';
const rounds = 5;
const steps = 40;

function runbookYaml(release: string): string {
  const small = Array.from({ length: steps }, (_, i) => `      - id: small-${i + 1}\n        run: ["true"]`).join('\n');
  return `version: 1
name: bench-engine
phases:
  - id: output
    steps:
      - id: hold
        run: [sh, -c, "while [ ! -f '${release}' ]; do sleep 0.01; done"]
      - id: print
        run: ${JSON.stringify(['seq', '-f', format, '1', String(lines)])}
${small}
    gate: { signoff: { count: 2 } }
`;
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
}

// The engine closes its clients before it has written its last lines and gone.
async function engineGone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(20);
  }
}

interface Round {
  stepMs: number;
  engineCpuMs: number;
  // Journal time to arrival at a watcher, for every event a watcher received live.
  latenciesMs: number[];
  // Journal time to the first frame of the TUI that shows it, for every event after it attached.
  screenMs: number[];
}

// The TUI attached as an operator, past its summary of what happened unattended to the
// checklist, where the running step's output shows; settled before the step starts.
async function attachTui(tmux: TmuxSession, stateDir: string, runId: string): Promise<void> {
  const pane = tmux.start(['attach', runId, '--state-dir', stateDir]);
  await tmux.waitFor(pane, 'enter: the checklist', 30_000);
  tmux.keys(pane, 'Enter');
  await tmux.waitFor(pane, 'Checklist');
  await waitUntilIdle(tmux.stepwisePid(pane)!);
}

async function oneRound(watchers: number, tui = false): Promise<Round> {
  const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-bench-engine-'));
  const frames = join(stateDir, 'frames');
  const tmux = tui ? new TmuxSession({ env: { STEPWISE_FRAME_LOG: frames } }) : undefined;
  try {
    const release = join(stateDir, 'release');
    const runbook = join(stateDir, 'rb.yaml');
    writeFileSync(runbook, runbookYaml(release));
    execFileSync(process.execPath, [cliPath, 'run', runbook, '--detach', '--yes', '--state-dir', stateDir], {
      env: { ...process.env, CI: undefined, STEPWISE_OPERATOR: 'bench' },
    });
    const runId = onlyRunId(stateDir);
    const { pid } = readEngineRecord(stateDir, runId)!;
    const latenciesMs: number[] = [];
    let gateSeq = 0;
    let atGate!: () => void;
    const gate = new Promise<void>((resolve) => (atGate = resolve));
    // One more client that is not counted as a watcher tells when the gate is reached.
    const clients: EngineClient[] = [];
    for (let i = 0; i <= watchers; i++) {
      const client = await EngineClient.connect({ stateDir, runId, role: 'watcher' });
      let live = false;
      await client.subscribe({
        view: () => {},
        caughtUp: () => (live = true),
        event: (e: JournalEvent) => {
          if (live && i > 0) latenciesMs.push(Date.now() - Date.parse(e.ts));
          if (i === 0 && e.type === 'gate.signed') {
            gateSeq = e.seq;
            atGate();
          }
        },
      });
      clients.push(client);
    }
    // After the watchers: they would take the TUI's summary of what happened unattended.
    if (tmux) await attachTui(tmux, stateDir, runId);
    await waitUntilIdle(pid);
    writeFileSync(release, '');
    await gate;
    const engineCpuMs = cpuMs(pid);
    process.kill(pid, 'SIGTERM');
    await Promise.all(clients.map((c) => c.ended));
    await engineGone(pid);
    const events = readEvents(join(stateDir, 'runs', runId, 'journal.jsonl'));
    const printed = events.find((e) => e.type === 'step.succeeded' && e.step === 'print') as unknown as {
      duration_ms: number;
    };
    const screenMs = tmux ? screenLatencies(events.filter((e) => e.seq <= gateSeq), frames) : [];
    return { stepMs: printed.duration_ms, engineCpuMs, latenciesMs, screenMs };
  } finally {
    await tmux?.kill();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function bareMs(): number {
  const started = performance.now();
  execFileSync('sh', ['-c', `seq -f '${format}' 1 ${lines} | cat > /dev/null`]);
  return performance.now() - started;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const engineBenchmark: Benchmark = {
  name: 'engine',
  async run(): Promise<BenchResult[]> {
    const loadBefore = loadavg()[0];
    const bare: number[] = [];
    // The same command read by Node through its pipe, as the engine's worker reads it: the floor
    // of any step in Node on this machine.
    const nodeRead: number[] = [];
    const none: Round[] = [];
    const tui: Round[] = [];
    const ten: Round[] = [];
    for (let round = 1; round <= rounds; round++) {
      bare.push(bareMs());
      nodeRead.push((await timeProcess('seq', ['-f', format, '1', String(lines)])).ms);
      none.push(await oneRound(0));
      tui.push(await oneRound(1, true));
      ten.push(await oneRound(10));
    }
    const stepRatio = median(tui.map((r, i) => r.stepMs / bare[i]));
    const cpuRatio = median(ten.map((r, i) => r.engineCpuMs / none[i].engineCpuMs));
    const latencies = [...tui, ...ten].flatMap((r) => r.latenciesMs);
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const screen = tui.flatMap((r) => r.screenMs);
    const screenP50 = percentile(screen, 50);
    const screenP95 = percentile(screen, 95);
    const load = [loadBefore, loadavg()[0]];
    return [
      {
        name: 'engine: 500,000-line step with a TUI and a watcher attached',
        value: Math.round(median(tui.map((r) => r.stepMs))),
        unit: 'ms',
        baseline: Math.round(median(bare)),
        ratio: Number(stepRatio.toFixed(2)),
        target: 'ratio ≤ 1.2 (baseline: the bare command through a pipe)',
        pass: stepRatio <= 1.2,
        details: {
          step_ms: tui.map((r) => r.stepMs),
          // The same step with nobody attached: what the clients themselves cost.
          step_ms_nobody_attached: none.map((r) => r.stepMs),
          ratio_to_nobody_attached: Number(median(tui.map((r, i) => r.stepMs / none[i].stepMs)).toFixed(2)),
          bare_ms: bare.map(Math.round),
          node_read_ms: nodeRead.map(Math.round),
          ratio_node_read_to_bare: Number(median(nodeRead.map((ms, i) => ms / bare[i])).toFixed(2)),
          load_average: load,
        },
      },
      {
        name: 'engine: CPU with 10 watchers attached',
        value: Math.round(median(ten.map((r) => r.engineCpuMs))),
        unit: 'ms',
        baseline: Math.round(median(none.map((r) => r.engineCpuMs))),
        ratio: Number(cpuRatio.toFixed(2)),
        target: 'ratio ≤ 1.1 (baseline: no watcher)',
        pass: cpuRatio <= 1.1,
        details: {
          cpu_ms_10: ten.map((r) => Math.round(r.engineCpuMs)),
          cpu_ms_0: none.map((r) => Math.round(r.engineCpuMs)),
          load_average: load,
        },
      },
      {
        name: 'engine: journal event to a watcher (median)',
        value: p50,
        unit: 'ms',
        target: 'median < 50 ms, 95th percentile < 150 ms',
        pass: p50 < 50 && p95 < 150,
        details: { p95_ms: p95, events: latencies.length, load_average: load },
      },
      {
        name: "engine: journal event to an attached TUI's screen (median)",
        value: screenP50,
        unit: 'ms',
        target: 'median < 50 ms, 95th percentile < 150 ms',
        pass: screenP50 < 50 && screenP95 < 150,
        details: { p95_ms: screenP95, max_ms: Math.max(...screen), events: screen.length, load_average: load },
      },
    ];
  },
};
