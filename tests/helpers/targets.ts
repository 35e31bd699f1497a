import { join } from 'node:path';
import { openEmbedded } from './embedded-database.js';
import { createScratchDatabase, testDatabaseUrl } from './scratch-database.js';

export type TargetKind = 'pglite' | 'postgres';

// Every engine story runs on the embedded database, and on real PostgreSQL when CI gives one.
export const targetKinds: TargetKind[] = testDatabaseUrl ? ['pglite', 'postgres'] : ['pglite'];

// Where a story that is not about the database runs once: on PostgreSQL when CI gives one (a
// command there does not reopen an embedded database), else on the embedded database. Each
// bundled runbook's story on PGlite is its rehearsal (tests/time/rehearse.test.ts).
export const storyKind: TargetKind = testDatabaseUrl ? 'postgres' : 'pglite';

export interface Target {
  kind: TargetKind;
  // Environment for the CLI: DATABASE_URL for PostgreSQL, nothing for the embedded database.
  env: Record<string, string | undefined>;
  // Reads the target between CLI runs (PGlite is single-process: opened and closed each time).
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function createTarget(kind: TargetKind, stateDir: string, embedded: string): Promise<Target> {
  if (kind === 'postgres') {
    const db = await createScratchDatabase('eng');
    return { kind, env: { DATABASE_URL: db.url }, query: db.query, close: db.drop };
  }
  const dir = join(stateDir, 'pglite', embedded);
  return {
    kind,
    env: {},
    query: async <T>(text: string, params: unknown[] = []) => {
      const db = await openEmbedded(dir);
      try {
        return (await db.query<T>(text, params)).rows;
      } finally {
        await db.close();
      }
    },
    close: async () => {},
  };
}
