import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

// One typed interface over postgres.js and PGlite (both behind Drizzle's PgDatabase).

export interface QueryResult<T = Record<string, unknown>> {
  rows: T[];
  rowCount: number;
}

// A query runner bound to one session: the pool, or one open transaction.
export interface Queryable {
  // One statement with bound parameters ($1, $2, …).
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
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
  // Session advisory lock held for the life of the run; false when another session holds it.
  tryAdvisoryLock(key: string): Promise<boolean>;
  // Who holds the advisory lock, as far as pg_stat_activity tells (application_name, client).
  advisoryLockHolder(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}
