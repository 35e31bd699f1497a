import type { DbConnection } from '../db/connection.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { Runbook } from '../runbook/schema.js';

// A runbook with a demo generator, started on an embedded database that holds no table yet, would
// fail at its first check with "relation … does not exist". Say what seeds it before any step runs.
export async function refuseUnseededDemo(
  runbook: Runbook,
  runbookPath: string,
  connections: Record<string, DbConnection>,
): Promise<void> {
  if (!runbook.demo) return;
  const name = runbook.demo.conn ?? Object.keys(runbook.connections ?? {})[0];
  const conn = name === undefined ? undefined : connections[name];
  if (conn?.driver !== 'pglite') return;
  const { rows } = await conn.query<{ tables: number }>(
    `SELECT count(*)::int AS tables FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`,
  );
  if (rows[0].tables > 0) return;
  throw new StepwiseError(
    `connection ${name} is the embedded database ${conn.target}, and it is empty: nothing ran. ` +
      `Seed it with its demo data first: stepwise demo --runbook ${runbookPath} ` +
      '(or point the connection at a server to run there)',
    'usage',
  );
}
