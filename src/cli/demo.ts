import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { openConnections } from '../db/open-connections.js';
import { resumeRun, startRun } from '../engine/open-run.js';
import { findLatestRun } from '../journal/find-run.js';
import { embeddedDir, resolveStateDir } from '../journal/state-dir.js';
import { createRenderer } from '../runbook/create-renderer.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { resolveVars } from '../runbook/resolve-vars.js';
import { duration } from '../runbook/schema.js';
import { splitStatements } from '../runbook/split-statements.js';
import { chooseMode } from './choose-mode.js';
import { driveFrontEnd } from './drive-front-end.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { promptVarsFor } from './prompt-vars.js';
import { type RunFlags, withRunOptions } from './shared-options.js';

const demoRunbook = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'runbooks',
  'queue-migration',
  'runbook.yaml',
);

// The demo always runs on the embedded database, whatever DATABASE_URL says.
function embeddedOnly(loaded: LoadedRunbook): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const def of Object.values(loaded.runbook.connections ?? {})) {
    if (def.url && typeof def.url === 'object') delete env[def.url.env];
  }
  return env;
}

async function seed(
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

export const demoCommand = withRunOptions(
  new Command('demo')
    .description(
      'the queue-migration runbook on an embedded database seeded with demo data (no server needed)',
    )
    .option('--reset', 'start over: fresh demo data and a new run', false)
    .option('--runbook <path>', 'another runbook with a `demo:` generator', demoRunbook)
    .option('--soak <duration>', 'how long each soak lasts in the demo instead of its `for`', '10s'),
).action(async (flags: RunFlags & { reset: boolean; runbook: string; soak: string }) => {
  if (!duration.safeParse(flags.soak).success)
    throw new StepwiseError(`--soak ${flags.soak}: must be a duration such as 10s, 5m or 24h`);
  const stateDir = resolveStateDir(flags.stateDir);
  const loaded = await loadRunbook(flags.runbook);
  const env = embeddedOnly(loaded);
  const embedded = Object.values(loaded.runbook.connections ?? {}).map((c) => c.embedded);
  if (embedded.some((e) => e === undefined)) {
    throw new StepwiseError(`${flags.runbook}: every connection needs \`embedded:\` for the demo`);
  }
  const latest = flags.reset ? undefined : findLatestRun(stateDir, loaded.runbook.name);
  const mode = chooseMode(flags);
  const common = {
    stateDir,
    operator: flags.operator,
    vars: flags.var,
    env,
    promptVars: promptVarsFor(mode),
    soakFor: flags.soak,
  };
  if (latest && !latest.finished) {
    const opened = await resumeRun({
      ...common,
      ref: latest.runId,
      acceptDrift: async () => true,
      purpose: 'resume',
      warn: (text) => process.stderr.write(`warning: ${text}\n`),
    });
    process.exitCode = await driveFrontEnd(opened, { mode, purpose: 'resume', yes: flags.yes });
    return;
  }
  for (const name of embedded) {
    const dir = embeddedDir(stateDir, name!);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(`seeding the demo data into ${embeddedDir(stateDir, embedded[0]!)} …\n`);
  await seed(loaded, stateDir, env, flags.var);
  const opened = await startRun(flags.runbook, common);
  process.exitCode = await driveFrontEnd(opened, { mode, purpose: 'run', yes: flags.yes });
});
