import { Command } from 'commander';
import { chooseMode } from './choose-mode.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { driveHeadlessClient } from './drive-headless-client.js';
import { driveTuiClient } from './drive-tui-client.js';
import { reopenInEngine } from './reopen-run.js';
import { collectList, type ReopenFlags, withReopenOptions, withRunOptions } from './shared-options.js';

interface ResumeFlags extends ReopenFlags {
  retry: string[];
  markDone: string[];
  endSoak?: string;
}

export const resumeCommand = withReopenOptions(
  withRunOptions(
    new Command('resume')
      .description('continue a run where it stopped')
      .argument('[run]', 'run id, or runbook path or name (its latest run); default: the latest run, or the only unfinished one when several runbooks have runs'),
  ),
)
  .option('--retry <step>', 'retry this interrupted step (repeatable)', collectList, [])
  .option('--mark-done <step>', 'mark this interrupted step done (repeatable)', collectList, [])
  .option('--end-soak <step>', 'end this soak before its time (a sign-off; needs --reason)')
  .action(async (ref: string | undefined, flags: ResumeFlags) => {
    if (flags.endSoak !== undefined && !flags.reason?.trim())
      throw new StepwiseError('--end-soak needs --reason TEXT: why the soak may end early');
    const mode = chooseMode(flags);
    const at = await reopenInEngine(ref, flags, mode, 'resume');
    process.exitCode =
      mode === 'tui'
        ? await driveTuiClient({ ...at, mode: 'resume', operator: flags.operator })
        : await driveHeadlessClient({
            ...at,
            mode,
            operator: flags.operator,
            drive: {
              intent: 'drive',
              yes: flags.yes,
              phrases: flags.confirm,
              retry: flags.retry,
              markDone: flags.markDone,
              endSoak: flags.endSoak === undefined ? undefined : { step: flags.endSoak, reason: flags.reason! },
            },
          });
  });
