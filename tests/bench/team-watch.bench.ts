import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { eventLine } from '../../src/journal/file-journal.js';
import { GENESIS } from '../../src/journal/journal.js';
import { EngineViews } from '../../src/store/engine-views.js';
import { migrate } from '../../src/store/migrate.js';
import { RunStore } from '../../src/store/run-store.js';
import { type Benchmark, median } from './benchmark.js';
import { openBenchDatabase } from './bench-database.js';

// Team mode: an event appended to the state database, to a watcher in another process that follows
// the run through LISTEN/NOTIFY and reads the event from the table (client/db-run-client.ts). The
// events are appended one at a time, each once the watcher printed the one before, so no event
// waits behind another.
const events = 200;
const child = join(import.meta.dirname, 'team-watch-child.ts');

export const teamWatchBenchmark: Benchmark = {
  name: 'team-watch',
  async run() {
    const db = await openBenchDatabase('bench_team_watch');
    try {
      await migrate(db.conn);
      const store = new RunStore(db.conn);
      const runId = 'bench-20261206T000000Z';
      const engine = { engineId: 'bench-engine', host: 'bench-host', pid: process.pid };
      await store.createRun({ runId, runbook: 'bench', host: engine.host });
      await store.takeLease(runId, engine, 600_000);
      await new EngineViews(db.conn).publish(runId, engine, {});
      const watcher = spawn(process.execPath, ['--import', 'tsx', child, db.url, runId], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines = createInterface({ input: watcher.stdout! });
      const seen: Array<(line: string) => void> = [];
      lines.on('line', (line) => seen.shift()?.(line));
      const nextLine = () => new Promise<string>((resolve) => seen.push(resolve));
      if ((await nextLine()) !== 'ready') throw new Error('the watcher did not start');
      const latencies: number[] = [];
      let prev = GENESIS;
      for (let seq = 1; seq <= events; seq++) {
        const { event, line } = eventLine({ type: 'step.progress', step: 'copy', message: `batch ${seq}` }, { seq, ts: new Date().toISOString(), prev });
        const arrived = nextLine();
        const t0 = performance.now();
        await store.append({ runId, seq, line, type: event.type, ts: event.ts, prev, hash: event.hash, engineId: engine.engineId });
        const got = await arrived;
        latencies.push(performance.now() - t0);
        if (Number(got) !== seq) throw new Error(`the watcher printed ${got} for event ${seq}`);
        prev = event.hash;
      }
      watcher.kill();
      const sorted = [...latencies].sort((a, b) => a - b);
      const value = Math.round(median(latencies) * 10) / 10;
      return [
        {
          name: 'team mode: appended event to a watcher in another process (median)',
          value,
          unit: 'ms',
          target: 'median < 100 ms',
          pass: value < 100,
          details: { events, p95_ms: Math.round(sorted[Math.floor(sorted.length * 0.95)] * 10) / 10, max_ms: Math.round(sorted.at(-1)! * 10) / 10 },
        },
      ];
    } finally {
      await db.close();
    }
  },
};
