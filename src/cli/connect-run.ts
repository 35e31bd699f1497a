import { EngineClient } from '../client/engine-client.js';
import type { RunClient } from '../client/run-client.js';
import type { Role } from '../protocol/messages.js';

export interface RunPlace {
  // The local state directory: the engine's socket and engine.json are there.
  stateDir: string;
  // Team mode: the state database, through which any host reaches the run's engine.
  url?: string;
}

// The run's engine as a front end reaches it: through the team's state database in team mode
// (from any host; who the client is, is its connection's role), else its Unix socket. postgres.js
// and the state database's tables load only in team mode: a screen on a socket stays light.
export async function connectRun(place: RunPlace, runId: string, role: Role, display?: string): Promise<RunClient> {
  if (!place.url) return EngineClient.connect({ stateDir: place.stateDir, runId, role, display });
  const [{ openPostgres }, { DbRunClient }] = await Promise.all([
    import('../db/postgres-connection.js'),
    import('../client/db-run-client.js'),
  ]);
  const conn = await openPostgres(place.url, { applicationName: `stepwise ${role}` });
  return DbRunClient.connect({ conn, runId, role, display });
}
