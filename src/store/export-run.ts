import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepwiseError } from '../errors/stepwise-error.js';
import { journalPath, runDir, stepDefinitionsPath } from '../journal/state-dir.js';
import { readStoredLog } from './log-copy.js';
import type { RunStore } from './run-store.js';

// `stepwise export`: a stored run as a state directory of its own (runs/<id>/journal.jsonl, its
// step definitions and its logs), the lines exactly as stored, so the chain verifies there as
// it did in the database: for archiving with a change ticket.
export async function exportRun(store: RunStore, runId: string, toDir: string): Promise<{ events: number; logs: number; path: string }> {
  const path = journalPath(toDir, runId);
  if (existsSync(path)) throw new StepwiseError(`${path} exists already: export into another directory`, 'usage');
  const rows = await store.readEvents(runId);
  mkdirSync(join(runDir(toDir, runId), 'logs'), { recursive: true });
  const definitions = await store.stepDefinitions(runId);
  if (definitions !== undefined) writeFileSync(stepDefinitionsPath(toDir, runId), definitions);
  const logs = await store.listLogs(runId);
  for (const log of logs) writeFileSync(join(runDir(toDir, runId), 'logs', log), (await readStoredLog(store, runId, log)).data);
  writeFileSync(path, rows.map((r) => `${r.line}\n`).join(''), { flag: 'wx' });
  return { events: rows.length, logs: logs.length, path };
}
