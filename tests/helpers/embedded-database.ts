import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { loadTemplate } from '../../src/db/pglite-template.js';

// PGlite for a test's own reads and writes: a new data directory (or an in-memory database, with
// none) starts from the machine's initialised template as stepwise's own do, instead of an initdb.
export async function openEmbedded(dir?: string): Promise<PGlite> {
  const fresh = dir === undefined || !existsSync(join(dir, 'PG_VERSION'));
  return await PGlite.create(dir ?? 'memory://', { loadDataDir: fresh ? loadTemplate(process.env) : undefined });
}
