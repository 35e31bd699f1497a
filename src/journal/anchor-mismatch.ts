import type { JournalEvent } from './events.js';
import type { JournalPoint } from './journal.js';

// A journal's head: its last event's seq and hash (what the run's databases keep as its anchor).
export interface JournalHead {
  seq: number;
  hash: string;
}

export function describeHead(head: JournalHead): string {
  return `seq ${head.seq} (hash ${head.hash.slice(0, 16)})`;
}

// The hash of the event `seq`: at the point reading started, among the events read, or else read
// from the top of the journal (a resume that read only the tail after its snapshot).
function hashAt(allEvents: () => JournalEvent[], seq: number, from: JournalPoint, events: JournalEvent[]): string | undefined {
  if (seq === from.seq) return from.hash;
  const known = events.find((e) => e.seq === seq) ?? allEvents().find((e) => e.seq === seq);
  return known?.hash;
}

// Why a journal does not hold the head its database anchored, or undefined when it does. A
// journal ahead of its anchor is whole as long as it holds the anchored event unchanged (the
// anchor is written after the event, so a crash can leave it behind).
export function anchorMismatch(
  allEvents: () => JournalEvent[],
  head: JournalHead,
  anchored: JournalHead,
  read: { from: JournalPoint; events: JournalEvent[] },
): string | undefined {
  if (head.seq < anchored.seq) {
    return `the journal ends at ${describeHead(head)} but its anchor is at ${describeHead(anchored)}: events after seq ${head.seq} were removed`;
  }
  const found = head.seq === anchored.seq ? head.hash : hashAt(allEvents, anchored.seq, read.from, read.events);
  if (found === anchored.hash) return undefined;
  const what = found ? `has hash ${found.slice(0, 16)}` : 'is missing';
  return `the journal's event seq ${anchored.seq} ${what}, its anchor says ${describeHead(anchored)}: the journal was rewritten`;
}
