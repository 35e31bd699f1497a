import type { EventPayload, JournalEvent } from './events.js';

// What the engine needs of a run's journal, wherever it is kept: a file (file-journal.ts) or a
// team's state database (store/pg-journal.ts). Both write the same lines with the same chain.

export const GENESIS = '0'.repeat(64);

// A place in a journal: after the event `seq` with hash `hash`, which ends on line `line` and, in
// a file, at byte `offset` (its newline included). Reading can start there instead of at the top.
export interface JournalPoint {
  seq: number;
  hash: string;
  offset: number;
  line: number;
}

export const journalTop: JournalPoint = { seq: 0, hash: GENESIS, offset: 0, line: 0 };

export interface Journal {
  // Where it is kept, for messages: the file's path, or the run in a state database.
  readonly location: string;
  // After the last event appended.
  readonly point: JournalPoint;
  // The seq of the last event appended (0 for none).
  readonly lastSeq: number;
  // Durable before it returns (volatile events aside); a journal that cannot take the event
  // stops the process (errors/fatal.ts), so the run never goes on unrecorded.
  append(payload: EventPayload): JournalEvent;
  onAppend(listener: (event: JournalEvent) => void): () => void;
  // Called once the journal is closed, with nothing more to come.
  onClose(listener: () => void): void;
  // Every event, read again from where they are kept (a client's replay).
  readAll(): JournalEvent[];
  close(): void;
}
