import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  captureDatabaseState,
  type DatabaseState,
  digestRows,
  type RowDigest,
} from '../../src/db/capture-database-state.js';
import type { Queryable } from '../../src/db/connection.js';
import { createRenderer } from '../../src/runbook/create-renderer.js';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import { resolveVars } from '../../src/runbook/resolve-vars.js';
import { splitStatements } from '../../src/runbook/split-statements.js';
import { openEmbedded } from '../helpers/embedded-database.js';
import { createScratchDatabase } from '../helpers/scratch-database.js';
import type { TargetKind } from '../helpers/targets.js';

export type Query = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

// The product's queries take a Queryable; the tests hold a bare query function.
function queryable(query: Query): Queryable {
  return {
    query: async <T>(text: string, params?: unknown[]) => {
      const rows = await query<T>(text, params);
      return { rows, rowCount: rows.length, command: 'SELECT' };
    },
  };
}

export const digest = (query: Query, sql: string): Promise<RowDigest> => digestRows(queryable(query), sql);

// The whole database as the product's rehearsal compares it (catalog, sequence positions,
// privileges, every table's rows).
export const captureState = (query: Query): Promise<DatabaseState> =>
  captureDatabaseState(queryable(query));

// `--var database=NAME` for a run on a server, as an operator names it (the embedded database
// needs none).
export function databaseVar(db: DemoDatabase): string[] {
  const url = db.env.DATABASE_URL;
  return url ? ['--var', `database=${new URL(url).pathname.slice(1)}`] : [];
}

export interface DemoDatabase {
  // Environment for the CLI: DATABASE_URL for PostgreSQL, nothing for the embedded database.
  env: Record<string, string | undefined>;
  // Runs `fn` with an open session. PGlite is single-process, so it is opened only between
  // CLI runs, once per session.
  session<T>(fn: (query: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// The runbook's database seeded with its demo data, as `stepwise demo` seeds it (statements
// split and rendered with the runbook's vars), on PGlite under the state dir or on a fresh
// database of the TEST_DATABASE_URL server.
export async function createDemoDatabase(
  kind: TargetKind,
  runbookPath: string,
  stateDir: string,
  vars: Record<string, string>,
): Promise<DemoDatabase> {
  const loaded = await loadRunbook(runbookPath);
  const { runbook } = loaded;
  const database = await open(kind, runbook.name, join(stateDir, 'pglite', embeddedName(runbook)));
  const resolved = resolveVars(runbook, { cli: vars, env: {} });
  const render = createRenderer({
    vars: resolved.values,
    secretVars: resolved.secretVars,
    connections: {},
    run: { id: 'demo', operator: 'demo' },
  });
  const seed = runbook.demo?.file ? loaded.files[runbook.demo.file] : runbook.demo?.text;
  if (!seed) throw new Error(`${runbookPath} has no demo data generator`);
  await database.session(async (query) => {
    for (const statement of splitStatements(seed)) {
      const { text, params } = render.sql(statement);
      await query(text, params);
    }
  });
  return database;
}

function embeddedName(runbook: { connections?: Record<string, { embedded?: string }> }): string {
  const embedded = Object.values(runbook.connections ?? {})[0]?.embedded;
  if (!embedded) throw new Error('the runbook connection names no embedded database');
  return embedded;
}

async function open(kind: TargetKind, name: string, pgliteDir: string): Promise<DemoDatabase> {
  if (kind === 'postgres') {
    const scratch = await createScratchDatabase(`rb_${name.replaceAll('-', '_')}`);
    return { env: { DATABASE_URL: scratch.url }, session: (fn) => fn(scratch.query), close: scratch.drop };
  }
  mkdirSync(pgliteDir, { recursive: true });
  return {
    env: {},
    session: async (fn) => {
      const db = await openEmbedded(pgliteDir);
      try {
        return await fn(async (text, params = []) => (await db.query(text, params)).rows as never[]);
      } finally {
        await db.close();
      }
    },
    close: async () => {},
  };
}
