import type { ConnectionIdentity } from '../journal/events.js';
import type { DbConnection } from './connection.js';

// What a connection points at now (see ConnectionIdentity).
export async function readIdentity(conn: DbConnection): Promise<ConnectionIdentity> {
  const { rows } = await conn.query<{ database: string; oid: string; version: string }>(
    "SELECT current_database() AS database, (SELECT oid::text FROM pg_database WHERE datname = current_database()) AS oid, current_setting('server_version') AS version",
  );
  const identity: ConnectionIdentity = {
    driver: conn.driver,
    address: conn.target,
    database: rows[0].database,
    database_oid: rows[0].oid,
    server_version: rows[0].version,
  };
  if (conn.driver === 'pglite') return identity;
  try {
    const id = await conn.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    return { ...identity, system_identifier: id.rows[0].id };
  } catch {
    return identity;
  }
}
