import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FileJournal } from '../../src/journal/file-journal.js';
import { loadSnapshot, readRun, snapshotEvery, snapshotPath, writeSnapshot } from '../../src/journal/run-snapshot.js';
import { journalPath } from '../../src/journal/state-dir.js';
import { cliPath } from '../helpers/run-cli.js';
import { type Benchmark, type BenchResult, median } from './benchmark.js';
import { writeReplayJournal } from './replay-journal.js';
import { timeProcess } from './time-process.js';

const events = 1_000_000;
const rounds = 5;
const runId = 'bench-replay-20260101T000000Z';

// Opening a run of a million events (what a billion-row backfill journals): `status`, `report`
// and `resume` (which opens the run, then refuses it: it is finished) as whole processes, each
// against the 1 s target, from the run's snapshot. The first opening, without a snapshot, reads
// the whole journal and writes the snapshot; the worst case after it reads a tail of
// snapshotEvery - 1 events, just before the engine would write the next one.
export const openBenchmark: Benchmark = {
  name: 'open',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-open-'));
    try {
      const stateDir = join(dir, 'state');
      const journal = journalPath(stateDir, runId);
      mkdirSync(dirname(journal), { recursive: true });
      const writeStarted = performance.now();
      writeReplayJournal(journal, events, true);
      const writeMs = performance.now() - writeStarted;
      const env = { ...process.env, CI: undefined, STEPWISE_OPERATOR: 'bench' };
      const commands: Record<string, { args: string[]; exit: number }> = {
        status: { args: ['status'], exit: 0 },
        report: { args: ['report', runId], exit: 0 },
        resume: { args: ['resume', runId, '--plain'], exit: 2 },
      };
      const timed = async (what: string): Promise<number> => {
        const { args, exit } = commands[what];
        const run = await timeProcess(process.execPath, [cliPath, ...args, '--state-dir', stateDir], { env });
        if (run.exitCode !== exit) throw new Error(`${what} exited ${run.exitCode}: ${run.stderr}`);
        return run.ms;
      };
      const loadBefore = loadavg()[0];
      const firstOpenMs = await timed('status');
      if (!existsSync(snapshotPath(journal))) throw new Error('the first opening wrote no snapshot');

      const node: number[] = [];
      const ms: Record<string, number[]> = { status: [], report: [], resume: [] };
      const measure = async () => {
        for (let round = 1; round <= rounds; round++) {
          node.push((await timeProcess(process.execPath, ['-e', '0'], { env })).ms);
          for (const what of Object.keys(ms)) ms[what].push(await timed(what));
        }
      };
      await measure();
      const fromSnapshot = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)]));

      // The worst tail: snapshotEvery - 1 events after the snapshot.
      const snapshot = loadSnapshot(journal)!;
      const { journal: appending } = FileJournal.open(journal, { from: snapshot.point });
      for (let i = 1; i < snapshotEvery; i++)
        appending.append({ type: 'step.progress', step: 'p5-s10', message: `late ${i}` });
      appending.close();
      for (const v of Object.values(ms)) v.length = 0;
      node.length = 0;
      await measure();
      const worstTail = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)]));

      // What a snapshot costs the engine to write, every snapshotEvery events.
      const { record, tail } = readRun(journal);
      const writes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        writeSnapshot(journal, tail.end!, record);
        writes.push(performance.now() - started);
      }
      const load = [loadBefore, loadavg()[0]];
      const nodeMs = median(node);
      return Object.keys(commands).map((what) => {
        const value = Math.max(fromSnapshot[what], worstTail[what]);
        return {
          name: `${what} of a run of 1,000,000 events (from its snapshot, worst tail)`,
          value: Math.round(value),
          unit: 'ms',
          baseline: Math.round(nodeMs),
          ratio: Number((value / nodeMs).toFixed(2)),
          target: '< 1000 ms (baseline: node -e 0)',
          pass: value < 1000,
          details: {
            events,
            snapshot_every: snapshotEvery,
            from_snapshot_ms: Math.round(fromSnapshot[what]),
            tail_of_snapshot_every_ms: Math.round(worstTail[what]),
            first_open_without_snapshot_ms: what === 'status' ? Math.round(firstOpenMs) : undefined,
            journal_write_ms: Math.round(writeMs),
            snapshot_write_ms: writes.map((w) => Number(w.toFixed(1))),
            load_average: load,
          },
        };
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
