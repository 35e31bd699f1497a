import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbConnection } from '../../src/db/connection.js';
import { openConnections } from '../../src/db/open-connections.js';
import type { ExecContext } from '../../src/engine/executor.js';
import { FileJournal, readJournal } from '../../src/journal/file-journal.js';
import { createRenderer, type VarValue } from '../../src/runbook/create-renderer.js';
import type { LoadedRunbook } from '../../src/runbook/loaded-runbook.js';
import type { Step } from '../../src/runbook/schema.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

export type DbKind = 'pglite' | 'postgres';
// Every story runs on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set.
export const dbKinds: DbKind[] = testDatabaseUrl ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb {
  conn: DbConnection;
  close(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// A fresh database of that kind, opened the way a run opens its connections.
export async function openTestDb(kind: DbKind, name = 'app', dir = tempDir('stepwise-bf-')): Promise<TestDb> {
  const scratch: ScratchDatabase | undefined =
    kind === 'postgres' ? await createScratchDatabase('bf') : undefined;
  const def = scratch ? { url: scratch.url } : { embedded: name };
  const conns = await openConnections({ connections: { [name]: def }, stateDir: dir, env: {} });
  return {
    conn: conns[name],
    close: async () => {
      await conns[name].close();
      await scratch?.drop();
    },
  };
}

// Each story starts from empty schemas on a database opened once per file.
export async function resetSchemas(conn: DbConnection): Promise<void> {
  await conn.query('DROP SCHEMA IF EXISTS stepwise CASCADE');
  await conn.query('DROP SCHEMA public CASCADE');
  await conn.query('CREATE SCHEMA public');
}

export interface Controls {
  paused: boolean;
  batchSize?: number;
}

export interface StepRun {
  ctx: ExecContext;
  output: string[];
  progress: Array<{ message: string; data?: Record<string, unknown> }>;
  controls: Controls;
  abort: AbortController;
  journal: FileJournal;
}

export interface StepRunOptions {
  step: Step;
  connections: Record<string, DbConnection>;
  // The run's journal: batch.committed events are appended to it, and read back for `committed`.
  journalPath: string;
  runId?: string;
  attempt?: number;
  vars?: Record<string, VarValue>;
  onOutput?: (line: string) => void;
}

function committedIn(path: string, step: string): ExecContext['committed'] {
  const committed: ExecContext['committed'] = { count: 0, rows: 0, skipped: 0 };
  if (!existsSync(path)) return committed;
  for (const e of readJournal(path).events) {
    if (e.type !== 'batch.committed' || e.step !== step) continue;
    committed.count++;
    committed.rows += e.rows;
    committed.skipped += e.skipped;
    committed.lastHi = e.hi;
  }
  return committed;
}

// The context the engine gives an executor, with a real file journal behind commitBatch.
export function stepRun(options: StepRunOptions): StepRun {
  const { step, connections } = options;
  const runId = options.runId ?? 'bf-run';
  const journal = existsSync(options.journalPath)
    ? FileJournal.open(options.journalPath).journal
    : FileJournal.create(options.journalPath);
  const output: string[] = [];
  const progress: StepRun['progress'] = [];
  const controls: Controls = { paused: false };
  const abort = new AbortController();
  const names = Object.keys(connections);
  const ctx: ExecContext = {
    runId,
    operator: 'tester',
    step,
    attempt: options.attempt ?? 1,
    runbookDir: tmpdir(),
    loaded: { positions: {}, files: {} } as unknown as LoadedRunbook,
    connection: (name) => {
      const conn = connections[name ?? (names.length === 1 ? names[0] : '')];
      if (!conn) throw new Error(`unknown connection ${name}`);
      return conn;
    },
    render: createRenderer({
      vars: options.vars ?? {},
      secretVars: [],
      connections: {},
      run: { id: runId, operator: 'tester' },
    }),
    output: (chunk) => {
      output.push(chunk);
      options.onOutput?.(chunk);
    },
    progress: (message, data) => progress.push({ message, data }),
    commitBatch: (batch) => journal.append({ type: 'batch.committed', step: step.id, ...batch }),
    committed: committedIn(options.journalPath, step.id),
    controls: {
      paused: () => controls.paused,
      batchSize: () => controls.batchSize,
      waitWhilePaused: async (signal) => {
        while (controls.paused && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
      },
    },
    signal: abort.signal,
  };
  return { ctx, output, progress, controls, abort, journal };
}

export function batchEvents(path: string, step: string) {
  return readJournal(path).events.filter((e) => e.type === 'batch.committed' && e.step === step) as Array<{
    batch: number;
    lo: unknown;
    hi: unknown;
    rows: number;
    skipped: number;
  }>;
}
