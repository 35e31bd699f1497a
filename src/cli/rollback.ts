import { Command } from 'commander';
import { StepwiseError } from '../errors/stepwise-error.js';
import { chooseMode } from './choose-mode.js';
import { driveHeadlessClient } from './drive-headless-client.js';
import { driveTuiClient } from './drive-tui-client.js';
import { reopenInEngine } from './reopen-run.js';
import { type ReopenFlags, withReopenOptions, withRunOptions } from './shared-options.js';

interface RollbackFlags extends ReopenFlags {
  to?: string;
  pastWindow?: boolean;
}

export const rollbackCommand = withReopenOptions(
  withRunOptions(
    new Command('rollback')
      .description('roll the completed steps of a run back, in reverse order (the plan is shown first)')
      .argument('[run]', 'run id, or runbook path or name (its latest run); default: the latest run, or the only unfinished one when several runbooks have runs'),
  ),
)
  .option('--to <step>', 'roll back only the steps after this one')
  .option('--past-window', "roll back although the runbook's rollback window has closed (needs --reason)")
  .action(async (ref: string | undefined, flags: RollbackFlags) => {
    if (flags.pastWindow && !flags.reason?.trim())
      throw new StepwiseError('--past-window needs --reason TEXT: why rolling back after the window is right');
    const mode = chooseMode(flags);
    const at = await reopenInEngine(ref, flags, mode, 'rollback');
    process.exitCode =
      mode === 'tui'
        ? await driveTuiClient({ ...at, mode: 'rollback', operator: flags.operator, rollbackTo: flags.to })
        : await driveHeadlessClient({
            ...at,
            mode,
            operator: flags.operator,
            drive: {
              intent: 'driveRollback',
              yes: flags.yes,
              to: flags.to,
              phrases: flags.confirm,
              pastWindow: flags.pastWindow ? { reason: flags.reason! } : undefined,
            },
          });
  });
