import { existsSync, rmSync } from 'node:fs';
import { openConnections } from '../db/open-connections.js';
import { type OpenedRun, resumeRun, startRun } from '../engine/open-run.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { findLatestRun } from '../journal/find-run.js';
import { embeddedDir } from '../journal/state-dir.js';
import { createRenderer } from '../runbook/create-renderer.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { resolveVars } from '../runbook/resolve-vars.js';
import { splitStatements } from '../runbook/split-statements.js';

export interface DemoOptions {
  runbook: string;
  stateDir: string;
  vars: Record<string, string>;
  operator?: string;
  reset: boolean;
  // How long each soak lasts in the demo instead of its `for`.
  soakFor?: string;
  // A line for the operator (a warning, the seeding).
  warn: (text: string) => void;
  // Whether an engine serves this run now: then the demo attaches to it instead.
  served: (runId: string) => boolean;
}

// The demo always runs on the embedded database, whatever DATABASE_URL says.
function embeddedOnly(loaded: LoadedRunbook): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const def of Object.values(loaded.runbook.connections ?? {})) {
    if (def.url && typeof def.url === 'object') delete env[def.url.env];
  }
  return env;
}

async function seed(loaded: LoadedRunbook, stateDir: string, env: NodeJS.ProcessEnv, cli: Record<string, string>) {
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

// The latest unfinished demo run again (or the id of the engine serving it), or fresh demo data
// and a new run.
export async function openDemo(options: DemoOptions): Promise<OpenedRun | { served: string }> {
  const { stateDir } = options;
  const loaded = await loadRunbook(options.runbook);
  const env = embeddedOnly(loaded);
  const embedded = Object.values(loaded.runbook.connections ?? {}).map((c) => c.embedded);
  if (embedded.some((e) => e === undefined)) {
    throw new StepwiseError(`${options.runbook}: every connection needs \`embedded:\` for the demo`);
  }
  const latest = options.reset ? undefined : findLatestRun(stateDir, loaded.runbook.name);
  const common = { stateDir, operator: options.operator, vars: options.vars, env, soakFor: options.soakFor };
  if (latest && !latest.finished) {
    if (options.served(latest.runId)) return { served: latest.runId };
    return resumeRun({
      ...common,
      ref: latest.runId,
      acceptDrift: async () => true,
      purpose: 'resume',
      warn: (text) => options.warn(`warning: ${text}`),
    });
  }
  for (const name of embedded) {
    const dir = embeddedDir(stateDir, name!);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
  options.warn(`seeding the demo data into ${embeddedDir(stateDir, embedded[0]!)} …`);
  await seed(loaded, stateDir, env, options.vars);
  return startRun(options.runbook, common);
}
