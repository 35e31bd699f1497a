import { hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stepwiseVersion } from '../format/stepwise-version.js';
import type { JournalEvent } from './events.js';
import { FileJournal, type ReadResult, readJournal } from './file-journal.js';
import { type Journal, type JournalPoint, journalTop } from './journal.js';
import { addEvent, emptyRecord, type RunRecord } from './run-record.js';

// A run's record (state and history) up to a point of its journal, kept in `snapshot.json` beside
// it, so that opening a long run reads only the journal's tail. It is a cache: one that is
// missing, damaged, written by another version, or that does not match the journal at its point
// (another run's, or a journal cut shorter) is ignored, and the record is rebuilt from the top.
// `stepwise verify` never uses it.
//
// The file is two lines: a header (format, version, the point, the checksum of the second line),
// then the record as JSON.

// Bump when RunState or RunHistory change shape within a version.
const snapshotFormat = 7;

// How many events the engine appends between two snapshots. The benchmark `open` measures both
// sides: writing a snapshot of a 50-step run costs about what reading 100 journal lines does, and
// a command opening the run reads at most this many lines after it.
export const snapshotEvery = 500;

interface SnapshotHeader {
  format: number;
  version: string;
  point: JournalPoint;
  sha256: string;
}

export function snapshotPath(journalPath: string): string {
  return join(dirname(journalPath), 'snapshot.json');
}

// Written to a temporary file and renamed over the old one, so a reader sees either. A snapshot
// that cannot be written is no loss: the next opening reads more of the journal.
export function writeSnapshot(journalPath: string, point: JournalPoint, record: RunRecord): void {
  const path = snapshotPath(journalPath);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, snapshotText(point, record));
    renameSync(temporary, path);
  } catch {
    rmSync(temporary, { force: true });
  }
}

export interface Snapshot {
  point: JournalPoint;
  record: RunRecord;
}

// The snapshot as stored: in snapshot.json, or in a state database's snapshots table.
export function snapshotText(point: JournalPoint, record: RunRecord): string {
  const body = JSON.stringify(record);
  const header: SnapshotHeader = { format: snapshotFormat, version: stepwiseVersion, point, sha256: hash('sha256', body) };
  return `${JSON.stringify(header)}\n${body}\n`;
}

export function parseSnapshot(text: string): Snapshot | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const header = JSON.parse(text.slice(0, newline)) as Partial<SnapshotHeader>;
  const body = text.slice(newline + 1).trimEnd();
  if (header.format !== snapshotFormat || header.version !== stepwiseVersion || !header.point) return undefined;
  if (header.sha256 !== hash('sha256', body)) return undefined;
  return { point: header.point, record: JSON.parse(body) as RunRecord };
}

// The journal line that ends at `point.offset`, read backwards from there.
function lineEndingAt(journalPath: string, offset: number): string | undefined {
  const fd = openSync(journalPath, 'r');
  try {
    if (fstatSync(fd).size < offset) return undefined;
    for (let window = Math.min(offset, 64 * 1024); ; window = Math.min(offset, window * 4)) {
      const buffer = Buffer.alloc(window);
      readSync(fd, buffer, 0, window, offset - window);
      if (buffer[window - 1] !== 0x0a) return undefined;
      const start = buffer.lastIndexOf(0x0a, window - 2) + 1;
      if (start > 0 || window === offset) return buffer.subarray(start, window - 1).toString('utf8');
    }
  } finally {
    closeSync(fd);
  }
}

// Whether the journal has, at the snapshot's point, the event the snapshot stands for.
function matchesJournal(journalPath: string, point: JournalPoint): boolean {
  if (point.offset === 0) return point.seq === 0;
  const line = lineEndingAt(journalPath, point.offset);
  if (line === undefined) return false;
  const event = JSON.parse(line) as Partial<JournalEvent>;
  return event.seq === point.seq && event.hash === point.hash;
}

// The snapshot of a journal, when there is a usable one.
export function loadSnapshot(journalPath: string): Snapshot | undefined {
  try {
    const snapshot = parseSnapshot(readFileSync(snapshotPath(journalPath), 'utf8'));
    return snapshot && matchesJournal(journalPath, snapshot.point) ? snapshot : undefined;
  } catch {
    return undefined;
  }
}

// The record at the snapshot (or empty), with the tail read after it added.
export function recordAfter(snapshot: Snapshot | undefined, tail: ReadResult): RunRecord {
  const record = snapshot?.record ?? emptyRecord();
  tail.events.forEach((e, i) => addEvent(record, e, tail.lines[i]));
  return record;
}

// Saves the record a long tail made, so the next opening starts there.
function saveLongTail(journalPath: string, tail: ReadResult, record: RunRecord): void {
  if (tail.end && tail.events.length >= snapshotEvery) writeSnapshot(journalPath, tail.end, record);
}

export interface ReadRun {
  record: RunRecord;
  // The journal after the snapshot (all of it without one): its damage, its torn tail.
  tail: ReadResult;
}

// A run's record for a command that only reads it (status, report). A tail longer than
// snapshotEvery is saved as a new snapshot, when it read whole and clean.
export function readRun(journalPath: string): ReadRun {
  const snapshot = loadSnapshot(journalPath);
  const tail = readJournal(journalPath, snapshot?.point ?? journalTop);
  const record = recordAfter(snapshot, tail);
  saveLongTail(journalPath, tail, record);
  return { record, tail };
}

export interface OpenedJournal extends ReadRun {
  journal: FileJournal;
}

// A run's journal opened for appending (resume, rollback), from its snapshot when it has one,
// keeping snapshots from then on.
export function openRunJournal(
  journalPath: string,
  snapshot = loadSnapshot(journalPath),
  now?: () => number,
): OpenedJournal {
  const { journal, read: tail } = FileJournal.open(journalPath, { from: snapshot?.point, now });
  const record = recordAfter(snapshot, tail);
  saveLongTail(journalPath, tail, record);
  keepSnapshots(journal, record);
  return { journal, record, tail };
}

// Keeps a snapshot of a journal being appended to: every snapshotEvery events, and when it closes.
// `record` is the record the journal is at now; the writer keeps its own copy. `save` keeps it
// (beside a file journal by default).
export function keepSnapshots(
  journal: Journal,
  record: RunRecord,
  save: (point: JournalPoint, record: RunRecord) => void = (point, at) => writeSnapshot(journal.location, point, at),
): void {
  const own = structuredClone(record);
  let since = 0;
  journal.onAppend((event) => {
    addEvent(own, event, journal.point.line);
    if (++since < snapshotEvery) return;
    since = 0;
    save(journal.point, own);
  });
  journal.onClose(() => {
    if (since > 0) save(journal.point, own);
  });
}
