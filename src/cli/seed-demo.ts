import { openConnections } from '../db/open-connections.js';
import { createRenderer } from '../runbook/create-renderer.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { resolveVars } from '../runbook/resolve-vars.js';
import { splitStatements } from '../runbook/split-statements.js';

// The demo always runs on the embedded database, whatever DATABASE_URL says.
export function embeddedOnly(loaded: LoadedRunbook): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const def of Object.values(loaded.runbook.connections ?? {})) {
    if (def.url && typeof def.url === 'object') delete env[def.url.env];
  }
  return env;
}

// Runs the runbook's `demo:` generator on its embedded database, in one transaction.
export async function seedDemo(
  loaded: LoadedRunbook,
  stateDir: string,
  env: NodeJS.ProcessEnv,
  cli: Record<string, string>,
) {
  const demo = loaded.runbook.demo;
  if (!demo) return;
  const text = demo.file ? loaded.files[demo.file] : (demo.text ?? '');
  const connections = await openConnections({ connections: loaded.runbook.connections, stateDir, env });
  try {
    const names = Object.keys(connections);
    const conn = connections[demo.conn ?? names[0]];
    const vars = resolveVars(loaded.runbook, { cli, env });
    const renderer = createRenderer({
      vars: vars.values,
      secretVars: vars.secretVars,
      connections: {},
      run: { id: 'demo', operator: 'demo' },
    });
    await conn.transaction(async (tx) => {
      for (const statement of splitStatements(text)) {
        const { text: sql, params } = renderer.sql(statement);
        await tx.query(sql, params);
      }
    });
  } finally {
    await Promise.allSettled(Object.values(connections).map((c) => c.close()));
  }
}
