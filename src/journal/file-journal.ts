import { hash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { fatal } from '../errors/fatal.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { type EventPayload, type JournalEvent, volatileEvents } from './events.js';
import { GENESIS, type Journal, type JournalPoint, journalTop } from './journal.js';

export function hashLine(prev: string, body: string): string {
  return hash('sha256', `${prev}\n${body}`);
}

export interface JournalProblem {
  line: number;
  message: string;
}

export interface ReadResult {
  // Where the reading started, and the point after its last event when what it read ends with
  // a whole good line and has no problems (undefined otherwise).
  from: JournalPoint;
  end?: JournalPoint;
  events: JournalEvent[];
  // The journal line of each event (1-based), parallel to `events`.
  lines: number[];
  // A torn last line (crash mid-write) is dropped with a warning.
  tornTail?: JournalProblem;
  // The number of the last line read, not counting a torn one.
  lastLine: number;
  problems: JournalProblem[];
}

// An event's journal line (without its newline): the line is hashed without its own `hash`
// field, which goes last; `prev` is inside what is hashed.
export function eventLine(
  payload: EventPayload,
  meta: { seq: number; ts: string; prev: string },
): { event: JournalEvent; line: string } {
  const { type, ...rest } = payload;
  const unsigned = { seq: meta.seq, ts: meta.ts, type, ...rest, prev: meta.prev };
  const body = JSON.stringify(unsigned);
  const hash = hashLine(meta.prev, body);
  return { event: { ...unsigned, hash } as JournalEvent, line: `${body.slice(0, -1)},"hash":"${hash}"}` };
}

// What was hashed: the line as written, without its `hash` field (append() puts it last); a line
// in any other shape is serialised again.
function bodyOf(line: string, event: JournalEvent): string {
  const suffix = `,"hash":"${event.hash}"}`;
  if (line.endsWith(suffix)) return `${line.slice(0, -suffix.length)}}`;
  const { hash: _, ...rest } = event;
  return JSON.stringify(rest);
}

// The journal from `from` to its end (the whole journal by default).
export function readJournal(path: string, from: JournalPoint = journalTop): ReadResult {
  return parseJournal(readFrom(path, from.offset), from);
}

// The first event of a journal, reading no further than its first line.
export function readFirstEvent(path: string): JournalEvent | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let length = Math.min(size, 64 * 1024); ; length = Math.min(size, length * 4)) {
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, 0);
      const newline = buffer.indexOf(0x0a);
      if (newline >= 0 || length === size) {
        const event = parseLine(buffer.subarray(0, newline >= 0 ? newline : length).toString('utf8'));
        return typeof event === 'string' ? undefined : event;
      }
    }
  } finally {
    closeSync(fd);
  }
}

function readFrom(path: string, offset: number): Buffer {
  if (offset === 0) return readFileSync(path);
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, fstatSync(fd).size - offset));
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
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

// Journal lines as read (from a file, or joined from a state database's rows), checked.
export function parseJournal(bytes: Buffer, from: JournalPoint): ReadResult {
  const text = bytes.toString('utf8');
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const events: JournalEvent[] = [];
  const lineNumbers: number[] = [];
  const problems: JournalProblem[] = [];
  let tornTail: JournalProblem | undefined;
  // After an unreadable line the chain and sequence are checked again from the next good line,
  // so one damaged line is one problem, not one per line that follows.
  let prev: string | undefined = from.hash;
  let lastSeq: number | undefined = from.seq;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = from.line + i + 1;
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
  if (from.seq === 0 && events.length === 0 && problems.length === 0 && !tornTail)
    problems.push({ line: 1, message: 'empty journal: the run.started event was never written' });
  else if (events.length > 0 && events[0].type !== 'run.started' && lineNumbers[0] === 1)
    problems.push({ line: 1, message: `the journal does not begin with run.started (it begins with ${String(events[0].type)})` });
  const last = events.at(-1);
  const end =
    problems.length > 0 || (bytes.length > 0 && !endsClean)
      ? undefined
      : last
        ? { seq: last.seq, hash: last.hash, offset: from.offset + bytes.length, line: lineNumbers.at(-1)! }
        : from;
  const lastLine = from.line + lines.length - (tornTail ? 1 : 0);
  return { from, end, events, lines: lineNumbers, tornTail, lastLine, problems };
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

export class FileJournal implements Journal {
  private fd: number;
  private size: number;
  private failed: StepwiseError | undefined;
  private seq: number;
  private prev: string;
  // Lines in the journal, for snapshots (journal/run-snapshot.ts).
  private lineCount: number;
  private readonly listeners = new Set<(event: JournalEvent) => void>();
  private readonly closeListeners: Array<() => void> = [];

  // `now` stamps each event's ts: the engine's clock, so a test that moves time sees it journaled.
  private constructor(
    readonly path: string,
    at: { seq: number; hash: string; lines: number },
    private readonly now: () => number,
  ) {
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
    this.seq = at.seq;
    this.prev = at.hash;
    this.lineCount = at.lines;
  }

  static create(path: string, now: () => number = () => Date.now()): FileJournal {
    closeSync(openSync(path, 'wx'));
    return new FileJournal(path, { seq: 0, hash: GENESIS, lines: 0 }, now);
  }

  // After the last event appended: where a snapshot of the run up to here points.
  get point(): JournalPoint {
    return { seq: this.seq, hash: this.prev, offset: this.size, line: this.lineCount };
  }

  // Opens an existing journal for appending. A torn tail is cut off (truncated, never rewritten,
  // so a crash here loses nothing) and a last line without its newline gets one, so the chain
  // continues on a line of its own. Reading starts at `from` (a snapshot's point) when given.
  static open(
    path: string,
    options: { from?: JournalPoint; now?: () => number } = {},
  ): { journal: FileJournal; read: ReadResult } {
    const from = options.from ?? journalTop;
    const bytes = readFrom(path, from.offset);
    const read = parseJournal(bytes, from);
    if (read.tornTail || (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a)) {
      const fd = openSync(path, 'r+');
      if (read.tornTail) ftruncateSync(fd, from.offset + bytes.lastIndexOf(0x0a) + 1);
      else writeSync(fd, '\n', from.offset + bytes.length);
      fsyncSync(fd);
      closeSync(fd);
    }
    const last = read.events.at(-1);
    const lines = read.lastLine;
    const at = last ? { seq: last.seq, hash: last.hash, lines } : { seq: from.seq, hash: from.hash, lines };
    return { journal: new FileJournal(path, at, options.now ?? (() => Date.now())), read };
  }

  // The seq of the last event appended (0 for none).
  get lastSeq(): number {
    return this.seq;
  }

  onAppend(listener: (event: JournalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get location(): string {
    return this.path;
  }

  append(payload: EventPayload): JournalEvent {
    const { event, line } = eventLine(payload, { seq: this.seq + 1, ts: new Date(this.now()).toISOString(), prev: this.prev });
    this.write(Buffer.from(`${line}\n`), !volatileEvents.has(event.type), event.type);
    this.lineCount += 1;
    this.seq = event.seq;
    this.prev = event.hash;
    for (const l of this.listeners) l(event);
    return event;
  }

  readAll(): JournalEvent[] {
    return readJournal(this.path).events;
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

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    if (!this.failed) fsyncSync(this.fd);
    closeSync(this.fd);
    if (!this.failed) for (const l of this.closeListeners) l();
  }
}
