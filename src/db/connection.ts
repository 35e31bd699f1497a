import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

// One typed interface over postgres.js and PGlite (both behind Drizzle's PgDatabase).
//
// Both drivers give the same JS types: int2/int4/float → number, int8 and numeric → string
// (lossless and JSON-safe), bool → boolean, json/jsonb → parsed value, timestamp/timestamptz/
// date/interval → PostgreSQL's text form (DateStyle ISO, e.g. "2026-11-23 02:00:00+00").

export interface QueryResult<T = Record<string, unknown>> {
  rows: T[];
  // Affected rows for INSERT/UPDATE/DELETE/MERGE/COPY; the rows returned for anything else.
  rowCount: number;
  // The command tag's verb: SELECT, INSERT, CREATE, …
  command: string;
}

export interface QueryOptions {
  // Aborting cancels the running statement on the server (postgres.js); PGlite runs a statement
  // to its end in-process, so there the signal is honoured before it starts.
  signal?: AbortSignal;
}

// A query runner bound to one session: the pool, one reserved session, or one open transaction.
export interface Queryable {
  // One statement with bound parameters ($1, $2, …), extended protocol.
  query<T = Record<string, unknown>>(
    text: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<T>>;
}

export interface TransactionOptions {
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  readOnly?: boolean;
}

export interface DbConnection extends Queryable {
  readonly name: string;
  readonly driver: 'postgres' | 'pglite';
  // Redacted target for screens and journals: postgres://user@host:port/db or pglite:<dir>.
  readonly target: string;
  readonly production: boolean;
  readonly db: PgDatabase<PgQueryResultHKT>;
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  // One session of its own without a transaction (statements that must share session state, e.g.
  // `SET lock_timeout` before `CREATE INDEX CONCURRENTLY`); its settings are reset afterwards.
  withSession<T>(fn: (session: Queryable) => Promise<T>): Promise<T>;
  // Session advisory lock held for the life of the run; false when another session holds it.
  tryAdvisoryLock(key: string): Promise<boolean>;
  // Who holds the advisory lock, as far as pg_stat_activity tells (application_name, client).
  advisoryLockHolder(key: string): Promise<string | undefined>;
  // LISTEN on `channel` (a session of its own): `heard` gets each notification's payload;
  // `listening` is called each time the LISTEN is in place, again after a lost connection was
  // re-established, so the caller reads what it may have missed. Resolves with the UNLISTEN.
  listen(channel: string, heard: (payload: string) => void, listening: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

// What a driver provides; open-connections adds the runbook's name and production flag.
export type DbBackend = Omit<DbConnection, 'name' | 'production'>;
