import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DbConnection } from '../db/connection.js';
import { readAnchor } from '../db/journal-anchor.js';
import { connectionSource, openConnections } from '../db/open-connections.js';
import { anchorMismatch, type JournalHead } from '../journal/anchor-mismatch.js';
import type { JournalEvent } from '../journal/events.js';
import type { JournalPoint } from '../journal/journal.js';
import type { RunState } from '../journal/reducer.js';
import { isRunLive } from '../journal/run-lock.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import { liveIdentities } from './live-identities.js';
import { isRecordedTarget } from './pinned-targets.js';

// How a journal stands against the head one connection anchored.
export type AnchorVerdict = { conn: string } & (
  | { state: 'holds'; anchored: JournalHead }
  | { state: 'differs'; anchored: JournalHead; problem: string }
  | { state: 'none' }
  | { state: 'unchecked'; reason: string }
);

export interface JournalRead {
  from: JournalPoint;
  events: JournalEvent[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Each open connection's anchor of the run against the journal's head.
export async function checkAnchors(
  connections: Record<string, DbConnection>,
  runId: string,
  allEvents: () => JournalEvent[],
  head: JournalHead,
  read: JournalRead,
): Promise<AnchorVerdict[]> {
  const verdicts: AnchorVerdict[] = [];
  for (const [conn, db] of Object.entries(connections)) {
    try {
      const anchored = await readAnchor(db, runId);
      if (!anchored) verdicts.push({ conn, state: 'none' });
      else {
        const problem = anchorMismatch(allEvents, head, anchored, read);
        verdicts.push(problem ? { conn, state: 'differs', anchored, problem } : { conn, state: 'holds', anchored });
      }
    } catch (error) {
      verdicts.push({ conn, state: 'unchecked', reason: `cannot read its anchor: ${message(error)}` });
    }
  }
  return verdicts;
}

export interface VerifyAnchorsInput {
  stateDir: string;
  env: NodeJS.ProcessEnv;
  runId: string;
  state: RunState;
  read: JournalRead;
}

// One connection of a finished or stopped run, opened the way resume opens it (the runbook's
// url, its environment variable, or its embedded directory), and only if it is still the target
// the run recorded: another database holds no anchor of this run.
async function openRecorded(input: VerifyAnchorsInput, name: string, live: boolean): Promise<DbConnection | string> {
  const recorded = input.state.started.connections[name];
  let runbook;
  try {
    runbook = (await loadRunbook(input.state.started.runbook.path)).runbook;
  } catch (error) {
    return `the runbook cannot be read to find the connection (${message(error)})`;
  }
  const def = runbook.connections?.[name];
  if (!def) return `the runbook ${input.state.started.runbook.path} has no connection ${name} now`;
  let source;
  try {
    source = connectionSource(name, def, input);
  } catch (error) {
    return message(error);
  }
  if (source.kind === 'pglite') {
    // Verify reads; it never creates an embedded database nor opens one an engine holds.
    if (!existsSync(join(source.dir, 'PG_VERSION'))) return `its embedded database ${source.dir} does not exist`;
    if (live) return 'the run is live and its engine holds the embedded database';
  }
  let opened: Record<string, DbConnection>;
  try {
    opened = await openConnections({
      connections: { [name]: def },
      stateDir: input.stateDir,
      env: input.env,
      applicationName: `stepwise verify ${input.runId}`.slice(0, 63),
    });
  } catch (error) {
    return message(error);
  }
  const conn = opened[name];
  const identity = (await liveIdentities(opened))[name];
  if (isRecordedTarget(recorded, identity)) return conn;
  await conn.close();
  return `it points at ${identity.address} now, the run ran on ${recorded.target}`;
}

// `stepwise verify`: the journal against the anchor of every connection the run recorded.
export async function verifyAnchors(input: VerifyAnchorsInput): Promise<AnchorVerdict[]> {
  const last = input.read.events.at(-1);
  const head = last ? { seq: last.seq, hash: last.hash } : { seq: input.read.from.seq, hash: input.read.from.hash };
  const live = isRunLive(input.stateDir, input.state.started.runbook.name, input.runId);
  const verdicts: AnchorVerdict[] = [];
  for (const name of Object.keys(input.state.started.connections)) {
    const conn = await openRecorded(input, name, live).catch((error: unknown) => message(error));
    if (typeof conn === 'string') {
      verdicts.push({ conn: name, state: 'unchecked', reason: conn });
      continue;
    }
    try {
      verdicts.push(...(await checkAnchors({ [name]: conn }, input.runId, () => input.read.events, head, input.read)));
    } finally {
      await conn.close();
    }
  }
  return verdicts;
}
