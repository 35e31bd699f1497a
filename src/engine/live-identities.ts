import { readIdentity } from '../db/connection-identity.js';
import type { DbConnection } from '../db/connection.js';
import type { ConnectionIdentity } from '../journal/events.js';

export async function liveIdentities(
  connections: Record<string, DbConnection>,
): Promise<Record<string, ConnectionIdentity>> {
  const entries = await Promise.all(
    Object.entries(connections).map(async ([name, conn]) => [name, await readIdentity(conn)] as const),
  );
  return Object.fromEntries(entries);
}
