import { EngineClient } from '../client/engine-client.js';
import type { RunClient } from '../client/run-client.js';
import type { DbBackend } from '../db/connection.js';
import { findRun } from '../journal/find-run.js';
import type { Role } from '../protocol/messages.js';

export interface RunPlace {
  // The local state directory: the engine's socket and engine.json are there.
  stateDir: string;
  // Team mode: the state database, through which any host reaches the run's engine.
  url?: string;
}

// A front end's statements in the state database are short reads and single-row writes.
const statementTimeoutMs = 30_000;

// postgres.js and the state database's tables load only in team mode: a screen on a socket stays
// light.
async function openState(url: string, purpose: string): Promise<DbBackend> {
  const [{ openPostgres }, { migrate }] = await Promise.all([
    import('../db/postgres-connection.js'),
    import('../store/migrate.js'),
  ]);
  const conn = await openPostgres(url, { applicationName: `stepwise ${purpose}`, statementTimeoutMs });
  try {
    await migrate(conn);
    return conn;
  } catch (error) {
    await conn.close();
    throw error;
  }
}

// The run a command means (its id, a runbook's latest run, or the latest run), where runs are.
export async function locateRun(place: RunPlace, ref: string | undefined): Promise<string> {
  if (!place.url) return findRun(place.stateDir, ref).runId;
  const conn = await openState(place.url, 'find');
  try {
    const [{ findStoredRun }, { RunStore }, { describeState }] = await Promise.all([
      import('../store/find-stored-run.js'),
      import('../store/run-store.js'),
      import('../store/state-location.js'),
    ]);
    return (await findStoredRun(new RunStore(conn), ref, describeState({ dir: place.stateDir, url: place.url }))).runId;
  } finally {
    await conn.close();
  }
}

// The run's engine as a front end reaches it: through the team's state database in team mode
// (from any host; who the client is, is its connection's role), else its Unix socket.
export async function connectRun(place: RunPlace, runId: string, role: Role, display?: string): Promise<RunClient> {
  if (!place.url) return EngineClient.connect({ stateDir: place.stateDir, runId, role, display });
  const { DbRunClient } = await import('../client/db-run-client.js');
  return DbRunClient.connect({ conn: await openState(place.url, role), runId, role, display });
}
