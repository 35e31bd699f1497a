import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PGlite, type Results, types } from '@electric-sql/pglite';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/pglite';
import { useBaselineWasm } from '../runbook/use-baseline-wasm.js';
import type { DbBackend, Queryable, TransactionOptions } from './connection.js';
import { loadTemplate, saveTemplate } from './pglite-template.js';
import { rowCountOf } from './row-count.js';

// Statements run through Drizzle's PGlite session (its prepared query takes SQL text with $n
// parameters as is, and turns date/time values into text as on postgres.js).
function queryOn(session: PgDatabase<PgQueryResultHKT>['_']['session']): Queryable['query'] {
  return async <T>(text: string, params: unknown[] = [], options: { signal?: AbortSignal } = {}) => {
    options.signal?.throwIfAborted();
    let result: Results<T>;
    try {
      result = (await session
        .prepareQuery({ sql: text, params }, undefined, undefined, false)
        .execute()) as Results<T>;
    } catch (error) {
      // Drizzle wraps the database error in one whose message lists the parameter values (secrets
      // included): the operator gets PostgreSQL's own error.
      throw error instanceof DrizzleQueryError && error.cause ? error.cause : error;
    } finally {
      // PGlite answers in this process without any I/O: a loop of queries (a backfill, a compare)
      // would run in microtasks only and starve timers, keys and rendering until it ends.
      await nextTurn();
    }
    const command = (result as Results<T> & { command?: string }).command ?? '';
    return {
      rows: result.rows,
      rowCount: rowCountOf(command, result.affectedRows ?? 0, result.rows.length),
      command,
    };
  };
}

// PGlite is PostgreSQL in this process, one session: there is no other client to lock out, and the
// run lock file already keeps a second stepwise off the same data directory.
export async function openPglite(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<DbBackend> {
  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  mkdirSync(dir, { recursive: true });
  const template = fresh ? loadTemplate(env) : undefined;
  useBaselineWasm();
  // int8 as text, as postgres.js gives it (PGlite would give a number, or a BigInt JSON cannot hold).
  const client = await PGlite.create(dir, {
    parsers: { [types.INT8]: (value: string) => value },
    loadDataDir: template,
  });
  if (fresh && !template) await saveTemplate(client, env);
  const db = drizzle(client) as unknown as PgDatabase<PgQueryResultHKT>;
  const query = queryOn(db._.session);
  return {
    driver: 'pglite',
    target: `pglite:${dir}`,
    db,
    query,
    transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      const config = {
        isolationLevel: options.isolation,
        accessMode: options.readOnly ? ('read only' as const) : undefined,
      };
      const configured = config.isolationLevel || config.accessMode ? config : undefined;
      return db.transaction((tx) => fn({ query: queryOn(tx._.session) }), configured);
    },
    async withSession<T>(fn: (session: Queryable) => Promise<T>): Promise<T> {
      try {
        return await fn({ query });
      } finally {
        await client.exec('ROLLBACK; RESET ALL').catch(() => undefined);
      }
    },
    tryAdvisoryLock: async () => true,
    advisoryLockHolder: async () => undefined,
    // Notifications reach only this process's listeners: the one session never loses its LISTEN.
    async listen(channel, heard, listening) {
      const unlisten = await client.listen(channel, heard);
      listening();
      return unlisten;
    },
    close: () => client.close(),
  };
}
