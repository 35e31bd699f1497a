import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { DbConnection } from '../../src/db/connection.js';
import { openConnections } from '../../src/db/open-connections.js';

export const benchServerUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  conn: DbConnection;
  url: string;
  stateDir: string;
  close(): Promise<void>;
}

// A database of its own on the benchmark server, opened as a run opens its connections.
export async function openBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(benchServerUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(benchServerUrl);
  url.pathname = `/${name}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const conns = await openConnections({ connections: { app: { url: url.toString() } }, stateDir, env: {} });
  return {
    conn: conns.app,
    url: url.toString(),
    stateDir,
    close: async () => {
      await conns.app.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end({ timeout: 1 });
    },
  };
}

// pgbench's accounts table, filled with `rows` rows.
export async function createAccounts(conn: DbConnection, table: string, rows: number): Promise<void> {
  await conn.query(`CREATE TABLE ${table} (aid int PRIMARY KEY, bid int, abalance int, filler char(84))`);
  await conn.query(
    `INSERT INTO ${table} SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, ${rows}) g`,
  );
  await conn.query(`VACUUM ANALYZE ${table}`);
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}
