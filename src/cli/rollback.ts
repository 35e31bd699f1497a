import { Command } from 'commander';
import { resumeRun } from '../engine/open-run.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { chooseMode } from './choose-mode.js';
import { driveFrontEnd } from './drive-front-end.js';
import { promptVarsFor } from './prompt-vars.js';
import { type RunFlags, withRunOptions } from './shared-options.js';

interface RollbackFlags extends RunFlags {
  to?: string;
  acceptDrift: boolean;
}

export const rollbackCommand = withRunOptions(
  new Command('rollback')
    .description('roll the completed steps of a run back, in reverse order (the plan is shown first)')
    .argument('[run]', 'run id, or runbook path or name (latest run); default: the latest run'),
)
  .option('--to <step>', 'roll back only the steps after this one')
  .option('--accept-drift', 'go on although the runbook changed since the run started', false)
  .action(async (ref: string | undefined, flags: RollbackFlags) => {
    const mode = chooseMode(flags);
    const opened = await resumeRun({
      ref,
      stateDir: resolveStateDir(flags.stateDir),
      operator: flags.operator,
      vars: flags.var,
      env: process.env,
      promptVars: promptVarsFor(mode),
      acceptDrift: async () => flags.acceptDrift || mode === 'tui',
      purpose: 'rollback',
      warn: (text) => process.stderr.write(`warning: ${text}\n`),
    });
    process.exitCode = await driveFrontEnd(opened, {
      mode,
      purpose: 'rollback',
      yes: flags.yes,
      to: flags.to,
    });
  });
