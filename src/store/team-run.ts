import { join } from 'node:path';
import { openPostgres } from '../db/postgres-connection.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { parseJournal, type ReadResult } from '../journal/file-journal.js';
import type { JournalEvent } from '../journal/events.js';
import { journalTop } from '../journal/journal.js';
import { runDir } from '../journal/state-dir.js';
import { emptyRecord, type RunRecord } from '../journal/run-record.js';
import { keepSnapshots, parseSnapshot, recordAfter, type ReadRun, type Snapshot, snapshotText } from '../journal/run-snapshot.js';
import { findStoredRun } from './find-stored-run.js';
import { migrate } from './migrate.js';
import { type OpenedPgJournal, PgJournal } from './pg-journal.js';
import { RunStore } from './run-store.js';
import { shipLogs } from './ship-logs.js';
import { describeState } from './state-location.js';

// A run's journal in a team's state database, as the engine opens it (engine/open-run.ts) and as
// reading commands read it: the same records, snapshots and checks as a file journal's.

const stateStatementTimeoutMs = 30_000;

// A connection of a command's own to the state database, its schema brought up to date.
export async function openStateDatabase(url: string, purpose: string): Promise<{ store: RunStore; close(): Promise<void> }> {
  const conn = await openPostgres(url, { applicationName: `stepwise ${purpose}`, statementTimeoutMs: stateStatementTimeoutMs });
  try {
    await migrate(conn);
  } catch (error) {
    await conn.close();
    throw error;
  }
  return { store: new RunStore(conn), close: () => conn.close() };
}

function engineHolder(host: string): { engineId: string; host: string; pid: number } {
  return { engineId: crypto.randomUUID(), host, pid: process.pid };
}

// Snapshots and logs of a journal the engine appends to, kept in the state database.
function keepInDatabase(journal: PgJournal, record: RunRecord, logsDir: string, notice: (text: string) => void): void {
  keepSnapshots(journal, record, (point, at) =>
    journal.post({ method: 'snapshot', seq: point.seq, hash: point.hash, body: snapshotText(point, at) }),
  );
  shipLogs(journal, logsDir, record, notice);
}

// A new run: its id is claimed in the state database (`base`, or its next free suffix), with its
// lease; the journal's `runId` is the id claimed.
export function createTeamJournal(options: {
  url: string;
  base: string;
  runbook: string;
  host: string;
  stepDefinitions: string;
  stateDir: string;
  now: () => number;
  // engine.log: what went wrong off the run's path.
  notice: (text: string) => void;
}): OpenedPgJournal {
  const opened = PgJournal.open({
    url: options.url,
    runId: options.base,
    me: engineHolder(options.host),
    create: { runbook: options.runbook, stepDefinitions: options.stepDefinitions },
    now: options.now,
  });
  keepInDatabase(opened.journal, emptyRecord(), join(runDir(options.stateDir, opened.journal.runId), 'logs'), options.notice);
  return opened;
}

export interface LocatedRun {
  runId: string;
  runbookName?: string;
  snapshot?: Snapshot;
  // Why the run's first event is unreadable, when it is.
  damaged?: string;
}

// The snapshot of a stored run, when it stands for an event the run has.
async function storedSnapshot(store: RunStore, runId: string): Promise<Snapshot | undefined> {
  const text = await store.readSnapshot(runId);
  let snapshot: Snapshot | undefined;
  try {
    snapshot = text === undefined ? undefined : parseSnapshot(text);
  } catch {
    // A damaged snapshot is ignored: the run is read from the top.
  }
  if (!snapshot) return undefined;
  const event = await store.readEvent(runId, snapshot.point.seq);
  return event?.hash === snapshot.point.hash ? snapshot : undefined;
}

// The run `ref` names in the state database, with its snapshot and runbook's name.
export async function locateTeamRun(url: string, ref: string | undefined): Promise<LocatedRun> {
  const db = await openStateDatabase(url, 'resume');
  try {
    const { runId, runbook } = await findStoredRun(db.store, ref, describeState({ dir: '', url }));
    const snapshot = await storedSnapshot(db.store, runId);
    if (snapshot) return { runId, runbookName: snapshot.record.state?.started.runbook.name ?? runbook, snapshot };
    const first = await db.store.readEvent(runId, 1);
    const event = first ? (JSON.parse(first.line) as JournalEvent) : undefined;
    if (event?.type !== 'run.started') return { runId, damaged: 'no run.started event' };
    return { runId, runbookName: event.runbook.name };
  } finally {
    await db.close();
  }
}

export interface OpenedTeamJournal extends OpenedPgJournal {
  tail: ReadResult;
  record: RunRecord;
}

// A stored run opened for appending (resume, rollback): its lease taken, from its snapshot on.
export function openTeamJournal(options: {
  url: string;
  runId: string;
  snapshot?: Snapshot;
  host: string;
  runDir: string;
  now: () => number;
  notice: (text: string) => void;
}): OpenedTeamJournal {
  const opened = PgJournal.open({
    url: options.url,
    runId: options.runId,
    me: engineHolder(options.host),
    from: options.snapshot?.point,
    now: options.now,
  });
  const record = recordAfter(options.snapshot, opened.read);
  keepInDatabase(opened.journal, record, join(options.runDir, 'logs'), options.notice);
  return { ...opened, tail: opened.read, record };
}

// A stored run's record for a command that only reads it (status, report).
export async function readTeamRun(store: RunStore, runId: string): Promise<ReadRun> {
  const snapshot = await storedSnapshot(store, runId);
  const from = snapshot?.point ?? journalTop;
  const rows = await store.readEvents(runId, from.seq);
  const tail = parseJournal(Buffer.from(rows.map((r) => `${r.line}\n`).join('')), { ...from, line: from.seq });
  return { record: recordAfter(snapshot, tail), tail };
}

// Every event of a stored run from the top, checked like a file journal's lines.
export async function readTeamJournal(store: RunStore, runId: string): Promise<ReadResult> {
  const rows = await store.readEvents(runId, 0);
  if (rows.length === 0 && !(await store.hasRun(runId))) throw new StepwiseError(`no run ${runId} in the state database`, 'usage');
  return parseJournal(Buffer.from(rows.map((r) => `${r.line}\n`).join('')), journalTop);
}
