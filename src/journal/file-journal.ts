import { hash } from 'node:crypto';
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { type EventPayload, type JournalEvent, volatileEvents } from './events.js';

export const GENESIS = '0'.repeat(64);

export function hashLine(prev: string, body: string): string {
  return hash('sha256', `${prev}\n${body}`);
}

export interface JournalProblem {
  line: number;
  message: string;
}

export interface ReadResult {
  events: JournalEvent[];
  // The journal line of each event (1-based), parallel to `events`.
  lines: number[];
  // A torn last line (crash mid-write) is dropped with a warning.
  tornTail?: JournalProblem;
  problems: JournalProblem[];
}

// The line is hashed without its own `hash` field; `prev` is inside what is hashed.
function serialise(event: Omit<JournalEvent, 'hash'>): { body: string; hash: string } {
  const body = JSON.stringify(event);
  return { body, hash: hashLine(event.prev, body) };
}

// What was hashed: the line as written, without its `hash` field (append() puts it last); a line
// in any other shape is serialised again.
function bodyOf(line: string, event: JournalEvent): string {
  const suffix = `,"hash":"${event.hash}"}`;
  if (line.endsWith(suffix)) return `${line.slice(0, -suffix.length)}}`;
  const { hash: _, ...rest } = event;
  return JSON.stringify(rest);
}

export function readJournal(path: string): ReadResult {
  return parseJournal(readFileSync(path, 'utf8'));
}

// The event on a line, or what is wrong with the line.
function parseLine(line: string): JournalEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'not a journal event (not a JSON object)';
  return value as JournalEvent;
}

function parseJournal(text: string): ReadResult {
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const events: JournalEvent[] = [];
  const lineNumbers: number[] = [];
  const problems: JournalProblem[] = [];
  let tornTail: JournalProblem | undefined;
  // After an unreadable line the chain and sequence are checked again from the next good line,
  // so one damaged line is one problem, not one per line that follows.
  let prev: string | undefined = GENESIS;
  let lastSeq: number | undefined = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const isLast = i === lines.length - 1;
    const event = parseLine(lines[i]);
    if (typeof event === 'string') {
      if (isLast && !endsClean) {
        tornTail = { line: lineNo, message: 'torn last line (the process stopped mid-write); ignored' };
      } else {
        problems.push({ line: lineNo, message: event });
        prev = undefined;
        lastSeq = undefined;
      }
      continue;
    }
    const expected = hashLine(event.prev, bodyOf(lines[i], event));
    if (prev !== undefined && event.prev !== prev) {
      problems.push({ line: lineNo, message: 'hash chain broken: prev does not match the previous line' });
    } else if (event.hash !== expected) {
      problems.push({ line: lineNo, message: 'hash mismatch: the line was changed after it was written' });
    }
    if (lastSeq !== undefined && event.seq !== lastSeq + 1) {
      problems.push({ line: lineNo, message: `sequence ${event.seq}, expected ${lastSeq + 1}` });
    }
    events.push(event);
    lineNumbers.push(lineNo);
    prev = event.hash;
    lastSeq = typeof event.seq === 'number' ? event.seq : undefined;
  }
  return { events, lines: lineNumbers, tornTail, problems };
}

export class FileJournal {
  private fd: number;
  private seq: number;
  private prev: string;
  private readonly listeners = new Set<(event: JournalEvent) => void>();

  // `now` stamps each event's ts: the engine's clock, so a test that moves time sees it journaled.
  private constructor(
    readonly path: string,
    existing: JournalEvent[],
    private readonly now: () => number,
  ) {
    this.fd = openSync(path, 'a');
    this.seq = existing.length ? existing[existing.length - 1].seq : 0;
    this.prev = existing.length ? existing[existing.length - 1].hash : GENESIS;
  }

  static create(path: string, now: () => number = () => Date.now()): FileJournal {
    closeSync(openSync(path, 'wx'));
    return new FileJournal(path, [], now);
  }

  // Opens an existing journal for appending. A torn tail is cut off (truncated, never rewritten,
  // so a crash here loses nothing) and a last line without its newline gets one, so the chain
  // continues on a line of its own.
  static open(path: string, now: () => number = () => Date.now()): { journal: FileJournal; read: ReadResult } {
    const bytes = readFileSync(path);
    const read = parseJournal(bytes.toString('utf8'));
    if (read.tornTail || (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a)) {
      const fd = openSync(path, 'r+');
      if (read.tornTail) ftruncateSync(fd, bytes.lastIndexOf(0x0a) + 1);
      else writeSync(fd, '\n', bytes.length);
      fsyncSync(fd);
      closeSync(fd);
    }
    return { journal: new FileJournal(path, read.events, now), read };
  }

  onAppend(listener: (event: JournalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(payload: EventPayload): JournalEvent {
    const meta = { seq: this.seq + 1, ts: new Date(this.now()).toISOString(), prev: this.prev };
    const { type, ...rest } = payload;
    const unsigned = { seq: meta.seq, ts: meta.ts, type, ...rest, prev: meta.prev } as Omit<
      JournalEvent,
      'hash'
    >;
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
