import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { JournalEvent } from './events.js';
import { journalPath, listRunIds } from './state-dir.js';

export interface FoundRun {
  runId: string;
  journalPath: string;
}

export interface LatestRun extends FoundRun {
  // The journal ends with run.finished (succeeded or rolled back): nothing left to resume.
  finished: boolean;
}

// Run ids are <runbook-name>-<YYYYMMDDTHHMMSSZ>[-n] (see newRunId).
const runIdPattern = /^(.+)-(\d{8}T\d{6}Z)(?:-(\d+))?$/;

interface ParsedRunId {
  id: string;
  runbook: string;
  stamp: string;
  n: number;
}

function parseRunId(id: string): ParsedRunId | undefined {
  const m = runIdPattern.exec(id);
  return m ? { id, runbook: m[1], stamp: m[2], n: m[3] ? Number(m[3]) : 1 } : undefined;
}

// Oldest first: by start time, then by the -n of runs started in the same second.
function byTime(a: ParsedRunId, b: ParsedRunId): number {
  return a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.n - b.n;
}

function runsIn(stateDir: string): ParsedRunId[] {
  return listRunIds(stateDir)
    .map(parseRunId)
    .filter((r): r is ParsedRunId => r !== undefined)
    .sort(byTime);
}

// Every run id in the state dir, oldest first.
export function runIdsByTime(stateDir: string): string[] {
  return runsIn(stateDir).map((r) => r.id);
}

// The runs of one runbook, oldest first.
export function runIdsOfRunbook(stateDir: string, runbook: string): string[] {
  return runsIn(stateDir)
    .filter((r) => r.runbook === runbook)
    .map((r) => r.id);
}

function latestOf(runs: ParsedRunId[], runbook: string): ParsedRunId | undefined {
  return runs.filter((r) => r.runbook === runbook).at(-1);
}

// Reads only the end of the journal: a finished run's last event is run.finished.
function isFinished(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 256 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const event = JSON.parse(lines[i]) as JournalEvent;
        return event.type === 'run.finished' && event.outcome !== 'failed';
      } catch {
        // a torn last line: the event before it decides
      }
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function found(stateDir: string, runId: string): FoundRun {
  return { runId, journalPath: journalPath(stateDir, runId) };
}

function listing(runs: ParsedRunId[], limit = 10): string {
  const shown = runs.slice(-limit).reverse();
  const more = runs.length > shown.length ? `\n  … and ${runs.length - shown.length} older` : '';
  return shown.map((r) => `  ${r.id}`).join('\n') + more;
}

function noRuns(stateDir: string): StepwiseError {
  return new StepwiseError(
    `no runs in ${stateDir}; start one with \`stepwise run <runbook>\` (or point --state-dir at the right directory)`,
  );
}

// yaml is loaded only when a runbook path is given, and synchronously (its CommonJS build), so
// that finding a run by id stays light.
const require = createRequire(import.meta.url);

// A runbook path names its runs by the runbook's `name:`.
function runbookNameAt(path: string): string {
  let name: unknown;
  try {
    const { parse } = require('yaml') as typeof import('yaml');
    name = (parse(readFileSync(path, 'utf8')) as { name?: unknown } | null)?.name;
  } catch (error) {
    throw new StepwiseError(`${path}: not a readable runbook (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof name !== 'string') throw new StepwiseError(`${path}: the runbook has no \`name:\``);
  return name;
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || /\.ya?ml$/i.test(ref) || (existsSync(ref) && statSync(ref).isFile());
}

// `ref` is a run id, a runbook path or name (its latest run), or a unique run id prefix;
// without it, the latest run when that is unambiguous.
export function findRun(stateDir: string, ref?: string): FoundRun {
  const runs = runsIn(stateDir);
  if (runs.length === 0) throw noRuns(stateDir);
  if (ref === undefined || ref === '') return latestUnambiguous(stateDir, runs);
  const exact = runs.find((r) => r.id === ref);
  if (exact) return found(stateDir, exact.id);
  const name = looksLikePath(ref) ? runbookNameAt(ref) : ref;
  const latest = latestOf(runs, name);
  if (latest) return found(stateDir, latest.id);
  if (name !== ref) {
    throw new StepwiseError(
      `no runs of runbook ${name} (${ref}) in ${stateDir}; runs there:\n${listing(runs)}`,
    );
  }
  const prefixed = runs.filter((r) => r.id.startsWith(ref));
  if (prefixed.length === 1) return found(stateDir, prefixed[0].id);
  if (prefixed.length > 1) {
    throw new StepwiseError(`"${ref}" matches several runs; give the whole run id:\n${listing(prefixed)}`);
  }
  throw new StepwiseError(`no run or runbook "${ref}" in ${stateDir}; runs there:\n${listing(runs)}`);
}

function latestUnambiguous(stateDir: string, runs: ParsedRunId[]): FoundRun {
  const runbooks = [...new Set(runs.map((r) => r.runbook))];
  const latest = runbooks.map((name) => latestOf(runs, name)!);
  if (latest.length === 1) return found(stateDir, latest[0].id);
  const open = latest.filter((r) => !isFinished(journalPath(stateDir, r.id)));
  if (open.length === 1) return found(stateDir, open[0].id);
  const lines = latest
    .map(
      (r) =>
        `  ${r.runbook.padEnd(24)} latest ${r.id}${isFinished(journalPath(stateDir, r.id)) ? ' (finished)' : ''}`,
    )
    .join('\n');
  throw new StepwiseError(
    `several runbooks have runs in ${stateDir}; say which (a run id or a runbook name):\n${lines}`,
    'usage',
  );
}

// The latest run of a runbook, if any (e.g. `demo` resumes it unless it finished).
export function findLatestRun(stateDir: string, runbookName: string): LatestRun | undefined {
  const latest = latestOf(runsIn(stateDir), runbookName);
  if (!latest) return undefined;
  const path = journalPath(stateDir, latest.id);
  return { runId: latest.id, journalPath: path, finished: isFinished(path) };
}
