import { hash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { fatal } from '../errors/fatal.js';
import { StepwiseError } from '../errors/stepwise-error.js';
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
  // A journal is a run only from its run.started on: an empty or headless one is damaged for
  // every command alike (verify, status, resume, report).
  if (events.length === 0 && problems.length === 0 && !tornTail)
    problems.push({ line: 1, message: 'empty journal: the run.started event was never written' });
  else if (events.length > 0 && events[0].type !== 'run.started' && lineNumbers[0] === 1)
    problems.push({ line: 1, message: `the journal does not begin with run.started (it begins with ${String(events[0].type)})` });
  return { events, lines: lineNumbers, tornTail, problems };
}

// writeSync may write part of a buffer (a file-size limit, a full disk): write the rest or throw.
function writeAll(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

function describeWriteError(code: string): string {
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EFBIG') return 'the file size limit (ulimit -f) is reached';
  if (code === 'EDQUOT') return 'the disk quota is used up';
  if (code === 'EIO') return 'the disk failed';
  return 'the write failed';
}

export class FileJournal {
  private fd: number;
  private size: number;
  private failed: StepwiseError | undefined;
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
    this.size = fstatSync(this.fd).size;
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

  // The seq of the last event appended (0 for none).
  get lastSeq(): number {
    return this.seq;
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
    const line = Buffer.from(`${body.slice(0, -1)},"hash":"${hash}"}\n`);
    this.write(line, !volatileEvents.has(type), type);
    this.seq = meta.seq;
    this.prev = hash;
    const event = { ...unsigned, hash } as JournalEvent;
    for (const l of this.listeners) l(event);
    return event;
  }

  // A journal that cannot be written ends the process (errors/fatal.ts): the run must not go on
  // unrecorded. What part of the line reached the file is cut off again, so the journal stays
  // whole up to its last event; a journal whose first event failed is removed (no run began).
  private write(line: Buffer, sync: boolean, type: string): void {
    if (this.failed) throw this.failed;
    try {
      writeAll(this.fd, line, this.size);
      if (sync) fsyncSync(this.fd);
      this.size += line.length;
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      try {
        ftruncateSync(this.fd, this.size);
        if (this.size === 0) rmSync(this.path, { force: true });
      } catch {
        // The truncation failed too: reading the journal drops a torn last line.
      }
      const next =
        this.size === 0
          ? 'no run began; free space (or raise the limit) and start it again'
          : 'the run stopped here; free space (or raise the limit), then `stepwise resume`';
      this.failed = new StepwiseError(
        `cannot write the journal ${this.path} (${reason}: ${describeWriteError(reason)}) while recording ${type}: ${next}`,
        'journal',
      );
      fatal(this.failed);
    }
  }

  close(): void {
    if (!this.failed) fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
