import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

// <state-dir>/runs/<run-id>/journal.jsonl and logs/<step>.<attempt>.log (ARCHITECTURE.md, Where state lives).

export function resolveStateDir(flag?: string): string {
  return resolve(flag ?? process.env.STEPWISE_STATE_DIR ?? '.stepwise');
}

// SQL texts the parser accepted (runbook/parsed-sql-cache.ts): plan skips the parser for them.
export function parsedSqlPath(stateDir: string): string {
  return join(stateDir, 'parsed-sql.json');
}

// Runbooks that passed validation (runbook/validated-runbook-cache.ts): plan skips validating them.
export function validatedRunbooksDir(stateDir: string): string {
  return join(stateDir, 'validated-runbooks');
}

export function runDir(stateDir: string, runId: string): string {
  return join(stateDir, 'runs', runId);
}

// Each step's definition as the run started, for showing what changed when the runbook drifts.
export function stepDefinitionsPath(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), 'step-definitions.json');
}

export function journalPath(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), 'journal.jsonl');
}

export function logPath(
  stateDir: string,
  runId: string,
  step: string,
  attempt: number,
  rollback = false,
): string {
  return join(runDir(stateDir, runId), 'logs', `${step}${rollback ? '.rollback' : ''}.${attempt}.log`);
}

// Beside a step's log while its command runs: the command's process group, written the moment it
// starts (the journal records it too, a moment later), so a resume after kill -9 can end it.
export function processGroupPath(log: string): string {
  return log.replace(/\.log$/, '.pgid');
}

export function embeddedDir(stateDir: string, name: string): string {
  return join(stateDir, 'pglite', name);
}

export function locksDir(stateDir: string): string {
  return join(stateDir, 'locks');
}

// Run ids sort by time: <runbook>-<YYYYMMDDTHHMMSSZ>[-n]. This is the id without its suffix.
export function runIdBase(runbookName: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${runbookName}-${stamp}`;
}

// A new run's id, free in the state directory (team mode claims it in the state database instead).
export function newRunId(stateDir: string, runbookName: string, now = new Date()): string {
  const base = runIdBase(runbookName, now);
  let id = base;
  for (let n = 2; existsSync(runDir(stateDir, id)); n++) id = `${base}-${n}`;
  return id;
}

export function listRunIds(stateDir: string): string[] {
  const dir = join(stateDir, 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'journal.jsonl')))
    .map((d) => d.name)
    .sort();
}
