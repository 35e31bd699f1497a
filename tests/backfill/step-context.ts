import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbConnection } from '../../src/db/connection.js';
import type { ExecContext } from '../../src/engine/executor.js';
import { FileJournal, readJournal } from '../../src/journal/file-journal.js';
import type { Journal } from '../../src/journal/journal.js';
import type { VarValue } from '../../src/runbook/create-renderer.js';
import type { Step } from '../../src/runbook/schema.js';
import { makeExecContext } from '../helpers/exec-context.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Each story starts from empty schemas on a database opened once per file.
export async function resetSchemas(conn: DbConnection): Promise<void> {
  await conn.query('DROP SCHEMA IF EXISTS stepwise CASCADE');
  await conn.query('DROP SCHEMA public CASCADE');
  await conn.query('CREATE SCHEMA public');
}

export interface StepRun {
  ctx: ExecContext;
  output: string[];
  progress: Array<{ message: string; data?: Record<string, unknown> }>;
  controls: { paused: boolean; batchSize?: number };
  abort(reason?: unknown): void;
  journal: Journal;
}

export interface StepRunOptions {
  step: Step;
  connections: Record<string, DbConnection>;
  // The run's journal: batch.committed events are appended to it, and read back for `committed`.
  journalPath: string;
  // Another journal to append to instead (a team's state database); `journalPath` is then unused.
  journal?: Journal;
  runId?: string;
  attempt?: number;
  vars?: Record<string, VarValue>;
  onOutput?: (line: string) => void;
  onThrottle?: (change: { throttled: boolean; reason: string }) => void;
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

// The context the engine gives an executor, with a real file journal behind commitBatch and
// `committed` read back from it, as the engine derives it on resume.
export function stepRun(options: StepRunOptions): StepRun {
  const { step, journalPath } = options;
  const journal =
    options.journal ?? (existsSync(journalPath)
    ? FileJournal.open(journalPath).journal
    : FileJournal.create(journalPath));
  const base = makeExecContext({ connections: options.connections, vars: options.vars, step: step.id });
  const output: string[] = [];
  const progress: StepRun['progress'] = [];
  const ctx: ExecContext = {
    ...base.ctx,
    runId: options.runId ?? base.ctx.runId,
    step,
    attempt: options.attempt ?? 1,
    output: (chunk) => {
      output.push(chunk);
      options.onOutput?.(chunk);
    },
    progress: (message, data) => progress.push({ message, data }),
    commitBatch: (batch) => journal.append({ type: 'batch.committed', step: step.id, ...batch }),
    throttleChanged: (change) => {
      journal.append({ type: 'step.throttled', step: step.id, ...change });
      options.onThrottle?.(change);
    },
    committed: committedIn(journalPath, step.id),
  };
  return { ctx, output, progress, controls: base.controls, abort: base.abort, journal };
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
