import { Command } from 'commander';
import { startRun } from '../engine/open-run.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { chooseMode } from './choose-mode.js';
import { driveFrontEnd } from './drive-front-end.js';
import { promptVarsFor } from './prompt-vars.js';
import { type RunFlags, withRunOptions } from './shared-options.js';

export const runCommand = withRunOptions(
  new Command('run')
    .description('start a new run of a runbook')
    .argument('<runbook>', 'path to the runbook YAML'),
).action(async (runbook: string, flags: RunFlags) => {
  const mode = chooseMode(flags);
  const opened = await startRun(runbook, {
    stateDir: resolveStateDir(flags.stateDir),
    operator: flags.operator,
    vars: flags.var,
    env: process.env,
    promptVars: promptVarsFor(mode),
  });
  process.exitCode = await driveFrontEnd(opened, { mode, purpose: 'run', yes: flags.yes });
});
