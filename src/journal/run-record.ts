import type { JournalEvent } from './events.js';
import { ReduceError, type RunState, reduceInPlace } from './reducer.js';
import { addToHistory, beforeEvent, emptyHistory, type RunHistory } from './run-history.js';

// A run as read from its journal: its state (the reducer's), its history (for the report) and
// how many events made them. What a snapshot stores (run-snapshot.ts).
export interface RunRecord {
  state?: RunState;
  history: RunHistory;
  events: number;
  // The hash of the last event, accepted or not.
  lastHash?: string;
}

export function emptyRecord(): RunRecord {
  return { history: emptyHistory(), events: 0 };
}

// Adds one event, at its journal line. The record owns its state and is changed in place; an
// event the reducer refuses is kept in history.rejected and changes nothing else.
export function addEvent(record: RunRecord, e: JournalEvent, line: number): void {
  record.events += 1;
  record.lastHash = e.hash;
  const before = beforeEvent(record.state, e);
  try {
    record.state = reduceInPlace(record.state, e);
  } catch (error) {
    if (!(error instanceof ReduceError)) throw error;
    record.history.rejected.push({ line, message: `event rejected: ${error.message}` });
    return;
  }
  addToHistory(record.history, before, record.state, e);
}

export function recordOf(events: JournalEvent[], lines?: number[]): RunRecord {
  const record = emptyRecord();
  events.forEach((e, i) => addEvent(record, e, lines?.[i] ?? i + 1));
  return record;
}
