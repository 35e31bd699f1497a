import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbConnection } from '../../src/db/connection.js';
import { openConnections } from '../../src/db/open-connections.js';
import { createScratchDatabase, testDatabaseUrl } from './scratch-database.js';

export type DatabaseKind = 'pglite' | 'postgres';

// Both kinds, always listed: pair with `describe.skipIf(noServer(kind))`, so a run without
// TEST_DATABASE_URL shows the PostgreSQL variants as skipped (CI always sets it, and
// tests/global-setup.ts fails the suite when that server is unreachable).
export const databaseKinds: DatabaseKind[] = ['pglite', 'postgres'];

export function noServer(kind: DatabaseKind): boolean {
  return kind === 'postgres' && !testDatabaseUrl;
}

export interface TestDatabase {
  kind: DatabaseKind;
  conn: DbConnection;
  // The scratch database's URL (postgres only), e.g. to open a second session on it.
  url?: string;
  stateDir: string;
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  name?: string;
  production?: boolean;
  applicationName?: string;
}

// A fresh database for a test: PGlite in a new state dir, or a new database on the
// TEST_DATABASE_URL server, opened through openConnections like a run opens it.
export async function openTestDatabase(
  kind: DatabaseKind,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const name = options.name ?? 'db';
  const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-db-'));
  if (kind === 'pglite') {
    const connections = await openConnections({
      connections: { [name]: { embedded: 'test', production: options.production } },
      stateDir,
      env: {},
    });
    return { kind, conn: connections[name], stateDir, close: () => connections[name].close() };
  }
  const scratch = await createScratchDatabase('dbx');
  try {
    const connections = await openConnections({
      connections: { [name]: { url: scratch.url, production: options.production } },
      stateDir,
      env: {},
      applicationName: options.applicationName,
    });
    const conn = connections[name];
    return {
      kind,
      conn,
      url: scratch.url,
      stateDir,
      close: async () => {
        await conn.close();
        await scratch.drop();
      },
    };
  } catch (error) {
    await scratch.drop();
    throw error;
  }
}
