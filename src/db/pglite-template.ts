import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

// A new PGlite data directory costs an initdb (seconds). The first one made on this machine is
// kept as a tarball and every later new directory starts from it, which takes a fraction of that.
// Keyed by the PGlite version: a tarball is only ever loaded by the PGlite that wrote it.

function cacheDir(env: NodeJS.ProcessEnv): string {
  return env.STEPWISE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stepwise');
}

function templatePath(env: NodeJS.ProcessEnv): string {
  const { version } = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.resolve('@electric-sql/pglite')), 'utf8'),
  ) as { version: string };
  return join(cacheDir(env), `pglite-${version}-empty.tar`);
}

export function loadTemplate(env: NodeJS.ProcessEnv): Blob | undefined {
  try {
    const path = templatePath(env);
    return existsSync(path) ? new Blob([readFileSync(path)]) : undefined;
  } catch {
    return undefined;
  }
}

// Called on a freshly initialised, still empty database; a failure only costs the next initdb.
export async function saveTemplate(client: PGlite, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    const path = templatePath(env);
    if (existsSync(path)) return;
    const tarball = await client.dumpDataDir('none');
    mkdirSync(cacheDir(env), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, Buffer.from(await tarball.arrayBuffer()));
    renameSync(temp, path);
  } catch {
    // No cache directory we can write: every new database runs initdb.
  }
}
