import type { DbConnection } from '../db/connection.js';
import { writeAnchor } from '../db/journal-anchor.js';
import type { JournalHead } from '../journal/anchor-mismatch.js';
import type { JournalEvent } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';

// Events after which the journal's head is anchored: a step's end, and the run's stops and ends.
// The head at close is anchored too, so the last line of a stopped run is always covered.
const anchorPoints: ReadonlySet<JournalEvent['type']> = new Set([
  'step.succeeded',
  'step.failed',
  'step.skipped',
  'step.signed',
  'step.rolled_back',
  'step.rollback_failed',
  'gate.passed',
  'rollback.finished',
  'run.paused',
  'run.finished',
]);

export interface JournalAnchor {
  // Waits for the anchor writes under way (the engine closes its connections after this).
  settle(): Promise<void>;
  // Stops anchoring for good (a full rollback removes the run's rows from the database).
  forget(): Promise<void>;
}

// Writes the journal's head to every connection of the run, off the engine's path: the newest
// head waiting replaces an older one, and one write runs at a time. A write that fails (a lost
// connection, a read-only server) leaves the anchor behind the journal, which verify and resume
// accept: they compare only what was anchored.
export function keepAnchor(journal: Journal, connections: Record<string, DbConnection>, runId: string): JournalAnchor {
  let pending: JournalHead | undefined;
  let writing: Promise<void> | undefined;
  let stopped = false;

  const drain = async () => {
    while (pending && !stopped) {
      const head = pending;
      pending = undefined;
      await Promise.allSettled(Object.values(connections).map((conn) => writeAnchor(conn, runId, head)));
    }
    writing = undefined;
  };
  const anchor = (head: JournalHead) => {
    if (stopped) return;
    pending = head;
    writing ??= drain();
  };

  journal.onAppend((event) => {
    if (anchorPoints.has(event.type)) anchor({ seq: event.seq, hash: event.hash });
  });
  journal.onClose(() => anchor(journal.point));
  return {
    settle: async () => {
      while (writing) await writing;
    },
    async forget() {
      stopped = true;
      await this.settle();
    },
  };
}
