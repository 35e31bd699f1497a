import { readFileSync } from 'node:fs';
import type { JournalEvent } from '../events.js';
import { runIdsOfRunbook } from '../find-run.js';
import { journalPath } from '../state-dir.js';

// One finished attempt of a step in an earlier run: how long it took and, for a copy or a
// comparison, how many rows it went through in that time.
export interface StepSample {
  ms: number;
  rows?: number;
}

// What earlier runs and rehearsals of a runbook took, by step id and definition hash: a step
// whose definition changed starts without history.
export interface StepHistory {
  runs: number;
  rehearsals: number;
  forward: Record<string, StepSample[]>;
  rollback: Record<string, number[]>;
}

export const emptyHistory: StepHistory = { runs: 0, rehearsals: 0, forward: {}, rollback: {} };

export function historyKey(step: string, hash: string): string {
  return `${step}@${hash}`;
}

// The newest runs are enough, and a journal is read only for the events that carry durations.
const maxRuns = 20;
const maxSamples = 5;
const wanted = ['run.started', 'run.resumed', 'step.started', 'batch.committed', 'step.succeeded', 'step.rolled_back'];

function eventsOf(path: string): JournalEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const events: JournalEvent[] = [];
  for (const line of text.split('\n')) {
    if (!wanted.some((type) => line.includes(`"type":"${type}"`))) continue;
    try {
      events.push(JSON.parse(line) as JournalEvent);
    } catch {
      // a torn last line carries no duration
    }
  }
  return events;
}

function push<T>(map: Record<string, T[]>, key: string, value: T): void {
  map[key] = [...(map[key] ?? []), value].slice(-maxSamples);
}

// Adds one run's durations to the history: each forward attempt that succeeded (with the rows a
// backfill's batches went through in that attempt, or the rows a compare read), and each step a
// rollback reversed.
function addRun(history: StepHistory, events: JournalEvent[]): void {
  let hashes: Record<string, string> = {};
  const scanned = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'run.started') {
      hashes = e.step_hashes;
      history.runs++;
      if (e.rehearsal) history.rehearsals++;
    } else if (e.type === 'run.resumed' && e.step_hashes) hashes = e.step_hashes;
    else if (e.type === 'step.started' && !e.rollback) scanned.set(e.step, 0);
    else if (e.type === 'batch.committed') scanned.set(e.step, (scanned.get(e.step) ?? 0) + e.rows + e.skipped);
    else if (e.type === 'step.succeeded' && hashes[e.step]) {
      const rows = scanned.has(e.step) && scanned.get(e.step)! > 0 ? scanned.get(e.step) : e.rows;
      push(history.forward, historyKey(e.step, hashes[e.step]), { ms: e.duration_ms, rows });
      scanned.delete(e.step);
    } else if (e.type === 'step.rolled_back' && e.how === 'reversed' && hashes[e.step]) {
      push(history.rollback, historyKey(e.step, hashes[e.step]), e.duration_ms);
    }
  }
}

// The history of a runbook from the journals in the state directory, leaving out `except` (the
// run being forecast).
export function readStepHistory(stateDir: string, runbook: string, except?: string): StepHistory {
  const history: StepHistory = { runs: 0, rehearsals: 0, forward: {}, rollback: {} };
  const ids = runIdsOfRunbook(stateDir, runbook).filter((id) => id !== except);
  for (const id of ids.slice(-maxRuns)) addRun(history, eventsOf(journalPath(stateDir, id)));
  return history;
}
