import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { liveEngineRecord } from '../../src/protocol/engine-record.js';
import { TmuxSession } from '../e2e/tmux-session.js';
import { endEngines, onlyRunId } from '../helpers/engine-watch.js';
import type { Benchmark, BenchResult } from './benchmark.js';
import { waitUntilIdle } from './time-process.js';

// `stepwise demo` in a 120×36 tmux pane, driven to the gate of its first phase (`a`, then `y`),
// where it waits for a sign-off: an operator's screen left open at a gate. Once it has settled,
// the screen's process (the TUI, a client of the engine that holds PGlite) and the engine are
// sampled from /proc for a fixed time, beside a bare Node process with a one-second timer
// sampled over the same seconds (what Node costs at rest on this machine, now).
const sampleSeconds = 60;
const targets = { cpuPercent: 0.3, rssMb: 120 };

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

// User and system CPU time of a live process and its threads, in ms.
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for ${pid}`);
  return Number(match[1]);
}

interface Sample {
  cpuPercent: number;
  // The largest resident set seen in the window, and the process's peak since it started.
  rssMb: number;
  peakMb: number;
}

// Samples each process every second for `seconds`: CPU over the whole window, the largest RSS.
async function sample(pids: number[], seconds: number): Promise<Sample[]> {
  const start = pids.map(cpuMs);
  const rss = pids.map(() => 0);
  const began = performance.now();
  for (let s = 0; s < seconds; s++) {
    await sleep(1000);
    pids.forEach((pid, i) => (rss[i] = Math.max(rss[i], statusKb(pid, 'VmRSS'))));
  }
  const wallMs = performance.now() - began;
  return pids.map((pid, i) => ({
    cpuPercent: Number((((cpuMs(pid) - start[i]) / wallMs) * 100).toFixed(3)),
    rssMb: Math.round(rss[i] / 1024),
    peakMb: Math.round(statusKb(pid, 'VmHWM') / 1024),
  }));
}

export const idleBenchmark: Benchmark = {
  name: 'idle',
  async run(): Promise<BenchResult[]> {
    const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-bench-idle-'));
    // The TUI notes every frame it draws here (STEPWISE_FRAME_LOG): how many fell in the window.
    const frameLog = join(stateDir, 'frames');
    const tmux = new TmuxSession({ width: 120, height: 36, env: { STEPWISE_FRAME_LOG: frameLog } });
    const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const pane = tmux.start(['demo', '--state-dir', stateDir]);
      await tmux.waitFor(pane, 'enter run', 120_000);
      tmux.keys(pane, 'a');
      await tmux.waitFor(pane, 'It stops at the gate');
      tmux.keys(pane, 'y');
      await tmux.waitFor(pane, 's sign off gate', 120_000);
      const screen = tmux.stepwisePid(pane)!;
      const engine = liveEngineRecord(stateDir, onlyRunId(stateDir))!.pid;
      await waitUntilIdle(screen);
      await waitUntilIdle(engine);
      const loadBefore = loadavg()[0];
      const from = Date.now();
      const [tui, engineSample, node] = await sample([screen, engine, bare.pid!], sampleSeconds);
      const frames = existsSync(frameLog)
        ? readFileSync(frameLog, 'utf8').split('\n').filter((line) => Number(line.split(' ')[1]) >= from).length
        : 0;
      const details = {
        seconds: sampleSeconds,
        screen: tmux.screen(pane).split('\n')[0].trim(),
        frames_drawn: frames,
        tui_peak_mb: tui.peakMb,
        engine_cpu_percent: engineSample.cpuPercent,
        engine_rss_mb: engineSample.rssMb,
        bare_node_cpu_percent: node.cpuPercent,
        load_average: [loadBefore, loadavg()[0]],
      };
      return [
        {
          name: "idle: the demo's TUI at a gate, CPU",
          value: tui.cpuPercent,
          unit: '% of a core',
          baseline: node.cpuPercent,
          target: `< ${targets.cpuPercent} % (baseline: bare Node with a 1 s timer)`,
          pass: tui.cpuPercent < targets.cpuPercent,
          details,
        },
        {
          name: "idle: the demo's TUI at a gate, resident memory",
          value: tui.rssMb,
          unit: 'MB',
          baseline: node.rssMb,
          ratio: Number((tui.rssMb / node.rssMb).toFixed(2)),
          target: `< ${targets.rssMb} MB (baseline: bare Node)`,
          pass: tui.rssMb < targets.rssMb,
          details,
        },
      ];
    } finally {
      bare.kill();
      await tmux.kill();
      await endEngines(stateDir);
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
};
