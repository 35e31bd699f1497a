import { openPostgres } from '../db/postgres-connection.js';
import { RunStore } from '../store/run-store.js';
import type { EngineServer } from './engine-server.js';
import { publishEngineView } from './publish-engine-view.js';
import { serveIntentRows } from './serve-intent-rows.js';
import { followRemoteClients } from './follow-remote-clients.js';

export interface ThroughDatabaseOptions {
  // The team's state database.
  url: string;
  runId: string;
  // This host, as the run's lease names it.
  host: string;
  server: EngineServer;
  log: (text: string) => void;
}

// Team mode: the engine serves front ends of other hosts through the state database besides its
// socket: it counts them among its clients, answers their intent rows and publishes its view and
// live state, on a connection of its own (the journal's belongs to its worker). This engine is the one the run's lease names (it
// took the lease as it opened the run). Returns what to call once the run is closed.
export async function serveThroughDatabase(options: ThroughDatabaseOptions): Promise<() => Promise<void>> {
  const { url, runId, host, server, log } = options;
  const conn = await openPostgres(url, { applicationName: `stepwise engine ${runId}`, statementTimeoutMs: 30_000 });
  try {
    const lease = await new RunStore(conn).lease(runId);
    if (!lease || lease.host !== host || lease.pid !== process.pid) throw new Error(`the lease of ${runId} is not this engine's`);
    const engine = { engineId: lease.engineId, host };
    // Listening first: a client asks once it sees the view, and what was left unanswered by an
    // engine before this one is refused before anyone sees this one.
    const unfollow = await followRemoteClients({ conn, runId, server, log });
    const unlisten = await serveIntentRows({ conn, runId, server, log });
    const unpublish = await publishEngineView({ conn, runId, engine, server, log });
    return async () => {
      await unlisten().catch(() => {});
      await unfollow().catch(() => {});
      // Nobody is served through the database any more: they no longer keep the engine alive.
      server.setRemoteClients([]);
      await unpublish();
      await conn.close();
    };
  } catch (error) {
    await conn.close();
    throw error;
  }
}
