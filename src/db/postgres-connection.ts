import { setTimeout as sleep } from 'node:timers/promises';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import { describeLockHolder, type LockHolderRow, lockHolderSql, tryLockSql } from './advisory-lock-sql.js';
import type { DbBackend, Queryable, TransactionOptions } from './connection.js';
import { ignoreClosedSocketWrite } from './ignore-closed-socket-write.js';
import { redactUrl } from './redact-url.js';
import { rowCountOf } from './row-count.js';
import { defaultStatementTimeoutMs } from './server-timeouts.js';

// Statements run on the postgres.js client of the pool, reserved session or Drizzle transaction
// rather than through Drizzle's prepared query: only postgres.js's pending query has cancel(),
// which stops a running statement on the server when the step is aborted.
function queryOn(client: Sql): Queryable['query'] {
  return async <T>(text: string, params: unknown[] = [], options: { signal?: AbortSignal } = {}) => {
    const { signal } = options;
    signal?.throwIfAborted();
    // simple: false keeps the extended protocol (one statement, bound parameters) even without params.
    const pending = client.unsafe(text, params as never[], { prepare: false, simple: false } as never);
    const cancel = () => void pending.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const result = await pending;
      const rows = Array.from(result) as T[];
      return {
        rows,
        rowCount: rowCountOf(result.command, result.count ?? 0, rows.length),
        command: result.command,
      };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  };
}

// The postgres.js client inside a Drizzle transaction (PostgresJsSession keeps it as `client`).
function transactionClient(tx: PgDatabase<PgQueryResultHKT>): Sql {
  return (tx._.session as unknown as { client: Sql }).client;
}


export interface PostgresOptions {
  applicationName: string;
  // Instead of the default hour: stepwise's own statements in a state database.
  statementTimeoutMs?: number;
}

export async function openPostgres(url: string, options: PostgresOptions): Promise<DbBackend> {
  ignoreClosedSocketWrite();
  const client = postgres(url, {
    max: 4,
    onnotice: () => {},
    connect_timeout: 10,
    // A recycled connection would silently drop the run's advisory lock.
    max_lifetime: null,
    // Startup settings of every session: nothing stepwise sends runs unbounded, and a statement whose
    // client died (kill -9, a lost network) is ended by the server within seconds (PostgreSQL 14+).
    connection: {
      application_name: options.applicationName,
      statement_timeout: options.statementTimeoutMs ?? defaultStatementTimeoutMs,
      client_connection_check_interval: '5000',
    },
  });
  const db = drizzle(client) as unknown as PgDatabase<PgQueryResultHKT>;
  const query = queryOn(client);
  try {
    await query('SELECT 1');
  } catch (error) {
    await client.end({ timeout: 1 });
    throw error;
  }
  // Drizzle has no reserved sessions: the advisory lock lives on one taken from postgres.js.
  let lockSession: Awaited<ReturnType<Sql['reserve']>> | undefined;

  return {
    driver: 'postgres',
    target: redactUrl(url),
    db,
    query,
    transaction<T>(fn: (tx: Queryable) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
      const config = {
        isolationLevel: txOptions.isolation,
        accessMode: txOptions.readOnly ? ('read only' as const) : undefined,
      };
      const configured = config.isolationLevel || config.accessMode ? config : undefined;
      return db.transaction((tx) => fn({ query: queryOn(transactionClient(tx)) }), configured);
    },
    async withSession<T>(fn: (session: Queryable) => Promise<T>): Promise<T> {
      const reserved = await client.reserve();
      try {
        return await fn({ query: queryOn(reserved) });
      } finally {
        // Back to the pool as it came: no open transaction, no leftover settings.
        await reserved.unsafe('ROLLBACK; RESET ALL').catch(() => undefined);
        reserved.release();
      }
    },
    async tryAdvisoryLock(key: string): Promise<boolean> {
      lockSession ??= await client.reserve();
      const [row] = await lockSession.unsafe(tryLockSql, [key]);
      return row.locked === true;
    },
    async advisoryLockHolder(key: string): Promise<string | undefined> {
      const { rows } = await query<LockHolderRow>(lockHolderSql, [key]);
      return rows[0] ? describeLockHolder(rows[0]) : undefined;
    },
    // postgres.js listens on a connection of its own and LISTENs again after a reconnect.
    async listen(channel, heard, listening) {
      const { unlisten } = await client.listen(channel, heard, listening);
      return unlisten;
    },
    async close(): Promise<void> {
      if (lockSession) {
        // A session the server ended (a restart, pg_terminate_backend) never answers: its lock went
        // with it, so the unlock is given a moment, not forever.
        // The timer is cleared once the unlock answers: left running, it held every command's exit.
        const gaveUp = new AbortController();
        const unlock = lockSession.unsafe('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        await Promise.race([unlock, sleep(2000, undefined, { signal: gaveUp.signal }).catch(() => undefined)]);
        gaveUp.abort();
        lockSession.release();
      }
      await client.end({ timeout: 5 });
    },
  };
}
