import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbConnection } from '../../src/db/connection.js';
import type { ExecContext } from '../../src/engine/executor.js';
import { type Clock, systemClock } from '../../src/engine/time/clock.js';
import { createRenderer, type VarValue } from '../../src/runbook/create-renderer.js';
import type { LoadedRunbook } from '../../src/runbook/loaded-runbook.js';

export interface ExecContextOptions {
  connections?: Record<string, DbConnection>;
  // Connection URLs for `{{ conn.x.url }}` and for masking their passwords.
  urls?: Record<string, string>;
  vars?: Record<string, VarValue>;
  secretVars?: string[];
  // SQL files of the runbook, by path as written.
  files?: Record<string, string>;
  runbookDir?: string;
  step?: string;
  // Time for polls and deadlines: the system clock unless the test moves it.
  clock?: Clock;
}

export interface TestExecContext {
  ctx: ExecContext;
  // Everything the executor wrote to the step output, in order.
  output(): string;
  progress: string[];
  batches: Parameters<ExecContext['commitBatch']>[0][];
  // Holds and releases by replica lag, as journaled.
  throttles: Parameters<ExecContext['throttleChanged']>[0][];
  controls: { paused: boolean; batchSize?: number };
  abort(reason?: unknown): void;
}

// An ExecContext as the engine builds it, with a real renderer; output and progress are kept.
export function makeExecContext(options: ExecContextOptions = {}): TestExecContext {
  const connections = options.connections ?? {};
  const runbookDir = options.runbookDir ?? process.cwd();
  // The step log, as the engine keeps it: executors write to it, and so does the process worker.
  const log = join(mkdtempSync(join(tmpdir(), 'stepwise-ctx-')), 'step.log');
  writeFileSync(log, '');
  const progress: string[] = [];
  const batches: TestExecContext['batches'] = [];
  const throttles: TestExecContext['throttles'] = [];
  const controls: TestExecContext['controls'] = { paused: false };
  const controller = new AbortController();
  const step = options.step ?? 'test-step';
  const loaded: LoadedRunbook = {
    path: `${runbookDir}/runbook.yaml`,
    dir: runbookDir,
    source: '',
    sha256: '',
    runbook: { version: 1, name: 'test', phases: [{ id: 'main', steps: [{ id: step }] }] },
    stepHashes: {},
    files: options.files ?? {},
    positions: {},
  };
  const names = Object.keys(connections);
  const ctx: ExecContext = {
    runId: 'test-run',
    operator: 'tester',
    step: { id: step },
    attempt: 1,
    runbookDir,
    loaded,
    connection(name) {
      const conn = connections[name ?? (names.length === 1 ? names[0] : '')];
      if (!conn) throw new Error(`no connection ${name ?? '(default)'} in this test context`);
      return conn;
    },
    render: createRenderer({
      vars: options.vars ?? {},
      secretVars: options.secretVars ?? [],
      connections: Object.fromEntries(Object.entries(options.urls ?? {}).map(([n, url]) => [n, { url }])),
      run: { id: 'test-run', operator: 'tester' },
    }),
    output: (chunk) => appendFileSync(log, chunk),
    processOutput: { log, tail: () => {} },
    progress: (message) => progress.push(message),
    processStarted: () => {},
    commitBatch: (batch) => batches.push(batch),
    throttleChanged: (change) => throttles.push(change),
    committed: { count: 0, rows: 0, skipped: 0 },
    controls: {
      paused: () => controls.paused,
      batchSize: () => controls.batchSize,
      waitWhilePaused: async (signal) => {
        while (controls.paused && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
      },
    },
    clock: options.clock ?? systemClock,
    signal: controller.signal,
  };
  return {
    ctx,
    output: () => readFileSync(log, 'utf8'),
    progress,
    batches,
    throttles,
    controls,
    abort: (reason) => controller.abort(reason),
  };
}
