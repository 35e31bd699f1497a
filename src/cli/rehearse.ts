import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { captureDatabaseState, type DatabaseState, diffDatabaseStates } from '../db/capture-database-state.js';
import { openConnections } from '../db/open-connections.js';
import { startRun } from '../engine/open-run.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { formatDuration } from '../format/format-time.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { duration } from '../runbook/schema.js';
import { driveRehearsal } from './drive-rehearsal.js';
import { ExitCode } from './exit-codes.js';
import { createPlainPrinter } from './plain-printer.js';
import { embeddedOnly, seedDemo } from './seed-demo.js';
import { collectVar, withStateDir } from './shared-options.js';

interface RehearseFlags {
  stateDir?: string;
  databaseUrl?: string;
  soak: string;
  var: Record<string, string>;
  operator?: string;
}

// Where the rehearsal runs: every connection's URL variable pointed at --database-url, or the
// embedded databases, under a scratch directory of their own, seeded by the runbook's `demo:`.
function targetEnv(loaded: LoadedRunbook, url: string | undefined): NodeJS.ProcessEnv {
  const env = embeddedOnly(loaded);
  if (!url) return env;
  for (const [name, def] of Object.entries(loaded.runbook.connections ?? {})) {
    if (def.production) {
      throw new StepwiseError(
        `connection ${name} is marked production: a rehearsal never runs there; rehearse on the embedded database (without --database-url)`,
        'usage',
      );
    }
    if (typeof def.url === 'string')
      throw new StepwiseError(`connection ${name} has a literal url in the runbook: --database-url cannot replace it`, 'usage');
    if (def.url) env[def.url.env] = url;
  }
  return env;
}

async function captureTargets(loaded: LoadedRunbook, scratch: string, env: NodeJS.ProcessEnv): Promise<Record<string, DatabaseState>> {
  const connections = await openConnections({ connections: loaded.runbook.connections, stateDir: scratch, env });
  try {
    const states: Record<string, DatabaseState> = {};
    for (const [name, conn] of Object.entries(connections)) states[name] = await captureDatabaseState(conn);
    return states;
  } finally {
    await Promise.allSettled(Object.values(connections).map((c) => c.close()));
  }
}

// forward, full rollback, compare with the state before, forward again (runbooks/README.md).
export const rehearseCommand = withStateDir(
  new Command('rehearse')
    .description('run a runbook forward, roll it back, prove the database is as before, and run it again (on a scratch database)')
    .argument('<runbook>', 'path to the runbook YAML')
    .option('--database-url <url>', 'rehearse on this scratch server instead of the embedded database')
    .option('--soak <duration>', 'how long each soak lasts in the rehearsal', '0s')
    .option('--var <k=v>', 'set a variable (repeatable)', collectVar, {})
    .option('--operator <name>', 'who rehearses (default $STEPWISE_OPERATOR or user@host)'),
).action(async (path: string, flags: RehearseFlags) => {
  const stateDir = resolveStateDir(flags.stateDir);
  const loaded = await loadRunbook(path);
  if (!duration.safeParse(flags.soak).success)
    throw new StepwiseError(`--soak ${flags.soak}: must be a duration such as 0s, 30s or 5m`, 'usage');
  const env = targetEnv(loaded, flags.databaseUrl);
  const scratch = join(stateDir, 'rehearsal');
  const say = (text: string) => process.stderr.write(`${text}\n`);
  if (!flags.databaseUrl) {
    if (!loaded.runbook.demo) {
      throw new StepwiseError(`${path} has no demo: generator to seed a scratch database; give --database-url of a scratch copy`, 'usage');
    }
    for (const def of Object.values(loaded.runbook.connections ?? {})) {
      const dir = def.embedded ? join(scratch, 'pglite', def.embedded) : undefined;
      if (dir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    }
    say(`rehearsal: seeding a scratch embedded database under ${scratch}`);
    await seedDemo(loaded, scratch, env, flags.var);
  }
  const before = await captureTargets(loaded, scratch, env);
  const open = () =>
    startRun(path, {
      stateDir,
      vars: flags.var,
      env,
      operator: flags.operator,
      embeddedStateDir: scratch,
      rehearsal: true,
      soakFor: flags.soak,
    });

  const forward = async (label: string): Promise<boolean> => {
    say(`rehearsal: ${label}`);
    const opened = await open();
    const { engine } = opened;
    const print = createPlainPrinter(process.stdout, { tail: (s) => engine.tail(s), run: engine.run });
    const off = engine.onEvent((event) => print(event, engine.run));
    try {
      const started = Date.now();
      const code = await driveRehearsal(engine, say);
      if (code !== 0) {
        say(`rehearsal: ${label} failed (run ${engine.run.runId}): see \`stepwise log ${engine.run.runId}\``);
        return false;
      }
      say(`rehearsal: ${label} done in ${formatDuration(Date.now() - started)} (run ${engine.run.runId})`);
      if (label !== 'forward') return true;
      say('rehearsal: rolling back all of it');
      // A rehearsal types its phrases, back as forward: it writes to no production connection.
      const confirm = Object.fromEntries(engine.rollbackPlan().phrases.map(({ step, phrase }) => [step, phrase]));
      await engine.rollback({ note: 'rehearsal', confirm });
      const back = engine.run;
      if (back.status !== 'rolled_back') {
        say(`rehearsal: the rollback stopped (run ${back.runId}); see \`stepwise log ${back.runId}\``);
        return false;
      }
      return true;
    } finally {
      off();
      await opened.close();
    }
  };

  if (!(await forward('forward'))) {
    process.exitCode = ExitCode.stepFailed;
    return;
  }
  const after = await captureTargets(loaded, scratch, env);
  const differences = Object.keys(before).flatMap((name) =>
    diffDatabaseStates(before[name], after[name]).map((d) => `  ${name}: ${d}`),
  );
  if (differences.length) {
    say(`rehearsal: the rollback did not restore the database; ${differences.length} difference(s):`);
    for (const line of differences) say(line);
    process.exitCode = ExitCode.stepFailed;
    return;
  }
  say('rehearsal: after the rollback the database equals its state before (catalog, sequences, every table\'s rows)');
  if (!(await forward('forward again'))) {
    process.exitCode = ExitCode.stepFailed;
    return;
  }
  say('rehearsal: passed; its timings now feed the forecast (stepwise plan)');
});
