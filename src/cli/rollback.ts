import { Command } from 'commander';
import { chooseMode } from './choose-mode.js';
import { driveFrontEnd } from './drive-front-end.js';
import { reopenRun } from './reopen-run.js';
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
    const opened = await reopenRun(ref, flags, mode, 'rollback');
    process.exitCode = await driveFrontEnd(opened, {
      mode,
      purpose: 'rollback',
      yes: flags.yes,
      to: flags.to,
    });
  });
