import { once } from 'node:events';
import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import type { JournalEvent } from '../journal/events.js';
import { readJournal } from '../journal/file-journal.js';
import { findRun } from '../journal/find-run.js';
import { replay } from '../journal/reducer.js';
import { runDir } from '../journal/state-dir.js';
import { describeState, resolveState, type StateLocation } from '../store/state-location.js';
import type { StoredLog } from '../store/log-copy.js';
import { formatUtc } from '../report/format-utc.js';
import { formatDuration } from '../format/format-time.js';
import { localeIsUtf8 } from '../format/terminal-caps.js';
import { toAscii } from '../format/to-ascii.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { safeOutput } from './safe-output.js';
import { withStateDir } from './shared-options.js';

// `stepwise log`: the output of a run's steps from their log files, every attempt (and every
// rollback) in journal order, each under a header saying who ran it, when, and how it ended.

interface Attempt {
  step: string;
  attempt: number;
  rollback: boolean;
  operator: string;
  ts: string;
  log: string;
  outcome?: string;
}

function outcomeOf(e: JournalEvent): string | undefined {
  switch (e.type) {
    case 'step.succeeded':
      return `succeeded in ${formatDuration(e.duration_ms)}`;
    case 'step.failed':
      return `failed after ${formatDuration(e.duration_ms)}: ${e.error.split('\n')[0]}`;
    case 'step.signed':
      return e.purpose === 'confirm' ? undefined : `signed off by ${e.operator}`;
    case 'step.skipped':
      return `skipped: ${e.reason}`;
    case 'step.rolled_back':
      return `rolled back in ${formatDuration(e.duration_ms)}`;
    case 'step.rollback_failed':
      return `rollback failed after ${formatDuration(e.duration_ms)}: ${e.error.split('\n')[0]}`;
    default:
      return undefined;
  }
}

function attemptsIn(events: JournalEvent[], step?: string): Attempt[] {
  const attempts: Attempt[] = [];
  const open = new Map<string, Attempt>();
  for (const e of events) {
    if (!('step' in e) || e.step === undefined || (step !== undefined && e.step !== step)) continue;
    if (e.type === 'step.started') {
      const a = {
        step: e.step,
        attempt: e.attempt,
        rollback: e.rollback === true,
        operator: e.operator,
        ts: e.ts,
        log: e.log,
      };
      attempts.push(a);
      open.set(e.step, a);
      continue;
    }
    const outcome = outcomeOf(e);
    const a = open.get(e.step);
    if (a && outcome) {
      a.outcome = outcome;
      open.delete(e.step);
    }
  }
  return attempts;
}

// The journal holds the path the engine wrote; a moved state dir still has the file under logs/.
function logFile(stateDir: string, runId: string, log: string): string | undefined {
  if (!log) return undefined;
  const here = join(runDir(stateDir, runId), 'logs', basename(log));
  if (existsSync(here)) return here;
  return existsSync(log) ? log : undefined;
}

function endsWithNewline(path: string): boolean {
  const size = statSync(path).size;
  if (size === 0) return true;
  const fd = openSync(path, 'r');
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

// One file to stdout, waiting when the pipe is full. Not stream.pipeline: each call leaves its
// listeners on stdout, and a run of more than ten attempts printed MaxListenersExceededWarning.
async function copyToStdout(file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
}

// A step is named by its id or by its number in the checklist ("2.3").
function resolveStep(events: JournalEvent[], ref: string, runId: string): string {
  const state = replay(events);
  if (!state) throw new StepwiseError(`the journal of ${runId} is empty`, 'stepFailed');
  if (state.steps[ref]) return ref;
  for (const [i, phase] of state.phases.entries()) {
    for (const [j, id] of phase.steps.entries()) if (`${i + 1}.${j + 1}` === ref) return id;
  }
  throw new StepwiseError(`run ${runId} has no step "${ref}"; its steps: ${state.order.join(', ')}`);
}

// The run's events, and in a state database the logs copied there (for a host without the files).
async function readForLog(
  location: StateLocation,
  ref: string,
): Promise<{ runId: string; events: JournalEvent[]; stored?: (log: string) => StoredLog | undefined }> {
  if (!location.url) {
    const { runId, journalPath } = findRun(location.dir, ref);
    return { runId, events: readJournal(journalPath).events };
  }
  const { openStateDatabase, readTeamJournal } = await import('../store/team-run.js');
  const { findStoredRun } = await import('../store/find-stored-run.js');
  const { readStoredLog } = await import('../store/log-copy.js');
  const db = await openStateDatabase(location.url, 'log');
  try {
    const { runId } = await findStoredRun(db.store, ref, describeState(location));
    const { events } = await readTeamJournal(db.store, runId);
    const logs = new Map<string, StoredLog>();
    for (const log of await db.store.listLogs(runId)) logs.set(log, await readStoredLog(db.store, runId, log));
    return { runId, events, stored: (log) => (log ? logs.get(basename(log)) : undefined) };
  } finally {
    await db.close();
  }
}

// Why a finished attempt's stored log is not known whole (store/log-copy.ts), if it is not.
function incompleteCopy(copy: StoredLog): string | undefined {
  if (copy.whole) return undefined;
  if (copy.gapAt !== undefined) return `incomplete: the state database lacks the bytes from offset ${copy.gapAt} on`;
  if (copy.size !== undefined) return `incomplete: the state database holds ${copy.data.length} of its ${copy.size} bytes`;
  return 'may be incomplete: its engine did not confirm it whole in the state database';
}

export const logCommand = withStateDir(
  new Command('log')
    .description('step output of a run: every attempt and rollback, from the log files')
    .argument('<run>', 'run id, or runbook path or name (its latest run)')
    .argument('[step]', 'a step id or number (default: every step, in the order they ran)'),
).action(async (ref: string, stepRef: string | undefined, flags: { state?: string; stateDir?: string }) => {
  const location = resolveState(flags);
  const stateDir = location.dir;
  const { runId, events, stored } = await readForLog(location, ref);
  const step = stepRef === undefined ? undefined : resolveStep(events, stepRef, runId);
  const attempts = attemptsIn(events, step);
  const out = safeOutput(process.stdout);
  if (attempts.length === 0) {
    out.write(step ? `${step} has not run in ${runId}\n` : `no step has run in ${runId}\n`);
    return;
  }
  const unicode = localeIsUtf8(process.env);
  for (const a of attempts) {
    if (out.closed) return;
    const what = a.rollback ? 'rollback' : `attempt ${a.attempt}`;
    const how = a.outcome ?? 'did not finish (interrupted)';
    const header = `── ${a.step} · ${what} · ${a.operator} · ${formatUtc(a.ts)} · ${how} ──`;
    out.write(`${unicode ? header : toAscii(header)}\n`);
    const file = logFile(stateDir, runId, a.log);
    const copy = file || !stored ? undefined : (stored(a.log) ?? (a.log ? { data: Buffer.alloc(0), whole: false } : undefined));
    if (copy !== undefined) {
      const { data } = copy;
      const missing = a.outcome === undefined ? undefined : incompleteCopy(copy);
      if (data.length) out.write(data.toString('utf8'));
      if (data.length && data[data.length - 1] !== 0x0a) out.write('\n');
      if (missing) out.write(`(${missing}; the whole log is ${a.log} on the engine's host)\n`);
      else if (data.length === 0) out.write('(no output)\n');
      continue;
    }
    if (!file) {
      out.write(a.log ? `(no log file: ${a.log})\n` : '(no output: nothing was run)\n');
      continue;
    }
    if (statSync(file).size === 0) {
      out.write('(no output)\n');
      continue;
    }
    try {
      await copyToStdout(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw error;
    }
    if (!endsWithNewline(file)) out.write('\n');
  }
});
