import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { type EventPayload, type JournalEvent, volatileEvents } from './events.js';

export const GENESIS = '0'.repeat(64);

export function hashLine(prev: string, body: string): string {
  return createHash('sha256').update(prev).update('\n').update(body).digest('hex');
}

export interface JournalProblem {
  line: number;
  message: string;
}

export interface ReadResult {
  events: JournalEvent[];
  // A torn last line (crash mid-write) is dropped with a warning.
  tornTail?: JournalProblem;
  problems: JournalProblem[];
}

// The line is hashed without its own `hash` field; `prev` is inside what is hashed.
function serialise(event: Omit<JournalEvent, 'hash'>): { body: string; hash: string } {
  const body = JSON.stringify(event);
  return { body, hash: hashLine(event.prev, body) };
}

export function readJournal(path: string): ReadResult {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const events: JournalEvent[] = [];
  const problems: JournalProblem[] = [];
  let tornTail: JournalProblem | undefined;
  let prev = GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const isLast = i === lines.length - 1;
    let event: JournalEvent;
    try {
      event = JSON.parse(lines[i]) as JournalEvent;
    } catch {
      if (isLast && !endsClean) {
        tornTail = { line: lineNo, message: 'torn last line (the process stopped mid-write); ignored' };
      } else problems.push({ line: lineNo, message: 'not valid JSON' });
      continue;
    }
    const { hash, ...rest } = event;
    const expected = serialise(rest as Omit<JournalEvent, 'hash'>).hash;
    if (event.prev !== prev) {
      problems.push({ line: lineNo, message: 'hash chain broken: prev does not match the previous line' });
    } else if (hash !== expected) {
      problems.push({ line: lineNo, message: 'hash mismatch: the line was changed after it was written' });
    }
    if (event.seq !== events.length + 1) {
      problems.push({ line: lineNo, message: `sequence ${event.seq}, expected ${events.length + 1}` });
    }
    events.push(event);
    prev = hash;
  }
  return { events, tornTail, problems };
}

export class FileJournal {
  private fd: number;
  private seq: number;
  private prev: string;
  private readonly listeners = new Set<(event: JournalEvent) => void>();

  private constructor(
    readonly path: string,
    existing: JournalEvent[],
  ) {
    this.fd = openSync(path, 'a');
    this.seq = existing.length;
    this.prev = existing.length ? existing[existing.length - 1].hash : GENESIS;
  }

  static create(path: string): FileJournal {
    closeSync(openSync(path, 'wx'));
    return new FileJournal(path, []);
  }

  // Opens an existing journal for appending; a torn tail is cut off first so the chain continues.
  static open(path: string): { journal: FileJournal; read: ReadResult } {
    const read = readJournal(path);
    if (read.tornTail) {
      const good = read.events.map((e) => `${JSON.stringify(e)}\n`).join('');
      const fd = openSync(path, 'w');
      writeSync(fd, good);
      fsyncSync(fd);
      closeSync(fd);
    }
    return { journal: new FileJournal(path, read.events), read };
  }

  onAppend(listener: (event: JournalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(payload: EventPayload): JournalEvent {
    const meta = { seq: this.seq + 1, ts: new Date().toISOString(), prev: this.prev };
    const { type, ...rest } = payload;
    const unsigned = { seq: meta.seq, ts: meta.ts, type, ...rest, prev: meta.prev } as Omit<JournalEvent, 'hash'>;
    const { body, hash } = serialise(unsigned);
    const line = `${body.slice(0, -1)},"hash":"${hash}"}\n`;
    writeSync(this.fd, line);
    if (!volatileEvents.has(type)) fsyncSync(this.fd);
    this.seq = meta.seq;
    this.prev = hash;
    const event = { ...unsigned, hash } as JournalEvent;
    for (const l of this.listeners) l(event);
    return event;
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
