import { coalescedReads } from '../db/coalesced-reads.js';
import type { DbBackend } from '../db/connection.js';
import { ClientPresence, presenceRenewMs } from '../store/client-presence.js';
import type { EngineServer } from './engine-server.js';

export interface RemoteClientsOptions {
  conn: DbBackend;
  runId: string;
  server: EngineServer;
  log: (text: string) => void;
}

// Team mode: the engine counts the front ends attached through the state database among its
// clients (who is attached, and whether a paused engine still has anyone to serve). It reads their
// presence rows whenever one comes, renews or leaves (LISTEN stepwise_clients), and every renewal
// interval besides, so a client that stopped renewing drops out once its row is too old. Resolves
// with what stops it.
export async function followRemoteClients(options: RemoteClientsOptions): Promise<() => Promise<void>> {
  const { conn, runId, server, log } = options;
  const presence = new ClientPresence(conn);
  const read = coalescedReads(
    async () => {
      const rows = await presence.present(runId);
      server.setRemoteClients(
        rows.map((row) => ({
          user: row.dbRole,
          display: row.display ?? row.osUser,
          role: row.clientRole,
          host: row.host,
          throughDatabase: true,
        })),
      );
    },
    (error) => log(`the clients of other hosts could not be read: ${String(error)}`),
  );
  const unlisten = await conn.listen(
    'stepwise_clients',
    (payload) => {
      if (payload === runId) void read();
    },
    () => void read(),
  );
  const timer = setInterval(() => void read(), presenceRenewMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await unlisten();
  };
}
