import { StepwiseError } from '../errors/stepwise-error.js';
import { embeddedDir } from '../journal/state-dir.js';
import { wrongUrlScheme } from '../runbook/postgres-url.js';
import type { Connection, Runbook } from '../runbook/schema.js';
import type { DbBackend, DbConnection } from './connection.js';
import { describeDbError } from './describe-db-error.js';
import { redactUrl } from './redact-url.js';

export interface OpenConnectionsInput {
  connections: Runbook['connections'];
  stateDir: string;
  env: NodeJS.ProcessEnv;
  // Names this process in pg_stat_activity, so a locked-out run can say who holds the lock.
  applicationName?: string;
}

export type ConnectionSource = { kind: 'postgres'; url: string; from: string } | { kind: 'pglite'; dir: string };

// Where a connection of the runbook leads: its url (given, or from its environment variable),
// else its embedded directory; refused when it has neither.
export function connectionSource(
  name: string,
  def: Connection,
  input: Pick<OpenConnectionsInput, 'stateDir' | 'env'>,
): ConnectionSource {
  const envName = typeof def.url === 'object' ? def.url.env : undefined;
  const url = typeof def.url === 'string' ? def.url : envName ? input.env[envName] || undefined : undefined;
  if (url) {
    const from = envName ?? `the url of connection ${name}`;
    const wrong = wrongUrlScheme(url, redactUrl(url));
    if (wrong) throw new StepwiseError(`connection ${name}: ${wrong}; check ${from}`, 'usage');
    return { kind: 'postgres', url, from };
  }
  if (def.embedded) return { kind: 'pglite', dir: embeddedDir(input.stateDir, def.embedded) };
  if (envName) {
    throw new StepwiseError(
      `connection ${name} has no database: set ${envName} to its postgres:// URL` +
        ' (or give the connection `embedded:` to rehearse on PGlite)',
      'usage',
    );
  }
  throw new StepwiseError(`connection ${name} has neither url: nor embedded: in the runbook`, 'usage');
}

async function openBackend(source: ConnectionSource, input: OpenConnectionsInput, name: string): Promise<DbBackend> {
  // Each driver (with its drizzle driver) is loaded only when a database of its kind is opened.
  if (source.kind === 'pglite') return (await import('./pglite-connection.js')).openPglite(source.dir, input.env);
  try {
    const { openPostgres } = await import('./postgres-connection.js');
    return await openPostgres(source.url, { applicationName: input.applicationName ?? 'stepwise' });
  } catch (error) {
    const password = URL.canParse(source.url) ? new URL(source.url).password : '';
    const reason = describeDbError(error);
    throw new StepwiseError(
      `cannot connect to ${name} at ${redactUrl(source.url)}: ${password ? reason.split(password).join('***') : reason}; ` +
        `check ${source.from}`,
      'usage',
    );
  }
}

// Opens every connection of a runbook. Connections naming the same URL or embedded directory share
// one client (and so one advisory lock session); each is closed when its last user closes it.
export async function openConnections(input: OpenConnectionsInput): Promise<Record<string, DbConnection>> {
  const shared = new Map<string, { backend: DbBackend; users: number }>();
  const opened: Record<string, DbConnection> = {};
  try {
    for (const [name, def] of Object.entries(input.connections ?? {})) {
      const source = connectionSource(name, def, input);
      const key = source.kind === 'postgres' ? source.url : `pglite:${source.dir}`;
      let entry = shared.get(key);
      if (!entry) {
        entry = { backend: await openBackend(source, input, name), users: 0 };
        shared.set(key, entry);
      }
      entry.users++;
      opened[name] = connectionOf(name, def.production === true, entry);
    }
  } catch (error) {
    await Promise.allSettled(Object.values(opened).map((c) => c.close()));
    throw error;
  }
  return opened;
}

function connectionOf(
  name: string,
  production: boolean,
  entry: { backend: DbBackend; users: number },
): DbConnection {
  const { backend } = entry;
  let closed = false;
  return {
    name,
    production,
    driver: backend.driver,
    target: backend.target,
    db: backend.db,
    query: backend.query,
    transaction: backend.transaction,
    withSession: backend.withSession,
    tryAdvisoryLock: backend.tryAdvisoryLock,
    advisoryLockHolder: backend.advisoryLockHolder,
    listen: backend.listen,
    async close() {
      if (closed) return;
      closed = true;
      if (--entry.users === 0) await backend.close();
    },
  };
}
