import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEngine } from '../../src/client/start-engine.js';
import { isProcessAlive } from '../../src/journal/process-identity.js';
import { journalPath } from '../../src/journal/state-dir.js';
import { readEngineRecord } from '../../src/protocol/engine-record.js';
import { TmuxSession } from '../e2e/tmux-session.js';
import { onlyRunId, watchFor } from '../helpers/engine-watch.js';
import { cliPath } from '../helpers/run-cli.js';
import { type Benchmark, type BenchResult, median } from './benchmark.js';
import { BufferedJournal } from './buffered-journal.js';
import { readFrames } from './frame-log.js';
import { batches } from './replay-journal.js';
import { timeProcess, waitUntilIdle } from './time-process.js';

// `stepwise attach` to a live run of 100,000 events: from starting the command in a terminal
// (tmux) to the TUI's first frame showing the run up to its last event (STEPWISE_FRAME_LOG).
// The run is a real one, stopped at a two-person gate, with a long backfill's batches and
// progress lines added to its journal, then opened again by its engine.
const events = 100_000;
const rounds = 5;
const env = { ...process.env, CI: undefined, STEPWISE_OPERATOR: 'bench' };

const runbook = `version: 1
name: bench-attach
phases:
  - id: load
    steps:
      - id: copy
        run: ["true"]
    gate: { signoff: { count: 2 } }
`;

async function gone(pid: number): Promise<void> {
  while (isProcessAlive(pid)) await sleep(20);
}

function lastSeq(journal: string): number {
  const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
  return (JSON.parse(lines[lines.length - 1]) as { seq: number }).seq;
}

// A run of `events` events whose engine serves it, waiting at its gate.
async function servedRun(stateDir: string): Promise<{ runId: string; pid: number }> {
  const file = join(stateDir, 'rb.yaml');
  writeFileSync(file, runbook);
  execFileSync(process.execPath, [cliPath, 'run', file, '--detach', '--yes', '--state-dir', stateDir], { env });
  const runId = onlyRunId(stateDir);
  const first = readEngineRecord(stateDir, runId)!.pid;
  const { event, client } = await watchFor(stateDir, (e) => e.type === 'gate.signed');
  await event;
  process.kill(first, 'SIGTERM');
  await client.ended;
  await gone(first);
  const journal = journalPath(stateDir, runId);
  // The engine journals run.resumed when it opens the run again.
  const more = events - lastSeq(journal) - 1;
  const appending = BufferedJournal.after(journal);
  for (const e of batches('copy', Math.floor(more / 2))) appending.append(e);
  if (more % 2) appending.append({ type: 'step.progress', step: 'copy', message: 'copying' });
  appending.close();
  const opened = await startEngine(
    { kind: 'resume', ref: runId, stateDir, vars: {}, acceptDrift: false, purpose: 'resume' },
    env,
  );
  if (!('pid' in opened)) throw new Error('the engine asked for values');
  await waitUntilIdle(opened.pid);
  if (lastSeq(journal) !== events) throw new Error(`the run has ${lastSeq(journal)} events, not ${events}`);
  return { runId, pid: opened.pid };
}

// Milliseconds from starting `stepwise attach` to its first frame that shows the whole run.
async function attachMs(stateDir: string, runId: string, round: number): Promise<number> {
  const frames = join(stateDir, `frames-${round}`);
  const tmux = new TmuxSession({ env: { STEPWISE_FRAME_LOG: frames } });
  try {
    tmux.start(['--version']);
    const started = Date.now();
    const pane = tmux.newWindow(['attach', runId, '--state-dir', stateDir]);
    const deadline = started + 30_000;
    for (;;) {
      const full = readFrames(frames).find((f) => f.seq >= events);
      if (full) return full.at - started;
      if (Date.now() > deadline) throw new Error(`no frame showed the whole run:\n${tmux.screen(pane)}`);
      await sleep(20);
    }
  } finally {
    await tmux.kill();
  }
}

export const attachBenchmark: Benchmark = {
  name: 'attach',
  async run(): Promise<BenchResult[]> {
    const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-bench-attach-'));
    let pid: number | undefined;
    try {
      const served = await servedRun(stateDir);
      pid = served.pid;
      const loadBefore = loadavg()[0];
      const node: number[] = [];
      const attach: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        node.push((await timeProcess(process.execPath, ['-e', '0'], { env })).ms);
        attach.push(await attachMs(stateDir, served.runId, round));
      }
      const value = median(attach);
      const nodeMs = median(node);
      return [
        {
          name: 'attach to a live run of 100,000 events: first full frame',
          value: Math.round(value),
          unit: 'ms',
          baseline: Math.round(nodeMs),
          ratio: Number((value / nodeMs).toFixed(2)),
          target: '< 1000 ms (baseline: node -e 0)',
          pass: value < 1000,
          details: { events, attach_ms: attach, load_average: [loadBefore, loadavg()[0]] },
        },
      ];
    } finally {
      if (pid !== undefined && isProcessAlive(pid)) {
        process.kill(pid, 'SIGTERM');
        await gone(pid);
      }
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
};
