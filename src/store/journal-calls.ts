import type { AppendRow, Holder, Lease } from './run-store.js';

// What the PostgreSQL journal (pg-journal.ts) asks of its worker thread (journal-worker.ts), and
// what the worker answers or tells by itself.

export interface OpenCall {
  method: 'open';
  url: string;
  runId: string;
  me: Holder;
  leaseMs: number;
  // A new run: its row is made with the lease, its id `runId` or the next free suffix of it.
  create?: { runbook: string; stepDefinitions: string };
  // Events after this seq are read back (a snapshot's point).
  afterSeq: number;
}

export type JournalCall =
  | OpenCall
  | { method: 'append'; row: AppendRow }
  | { method: 'readAll' }
  // A closed step's log made whole in the database: answers why not, if it is not.
  | { method: 'completeLog'; log: string }
  | { method: 'close' };

// Sent without waiting for an answer: kept when the worker gets to them.
export type JournalPost =
  | { method: 'snapshot'; seq: number; hash: string; body: string }
  // Where the run's step logs are, copied from then on (store/log-shipper.ts).
  | { method: 'shipLogs'; dir: string };

export interface Opened {
  // The run's id (a new run's as claimed).
  runId: string;
  // The engine whose expired lease this one took (a takeover), if any.
  previous?: Lease;
  lines: string[];
  // The run's step definitions as it started (drift diffs on resume).
  stepDefinitions?: string;
  // The database role of the journal's connection (session_user): who the engine signs as.
  role: string;
}

// Why the worker could not do what was asked. `lost`: another engine holds the run's lease now
// (`holder`); `held`: opening found the lease held and not expired.
export interface CallFailure {
  message: string;
  reason: 'lost' | 'held' | 'failed';
  holder?: Lease;
}

export type CallAnswer = { ok: true; value?: unknown } | { ok: false; failure: CallFailure };

// Told by the worker when renewing the lease found it taken.
export interface LeaseLost {
  type: 'lost';
  holder?: Lease;
}
