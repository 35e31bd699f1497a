import { Command } from 'commander';
import { resumeRun } from '../engine/open-run.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { chooseMode } from './choose-mode.js';
import { driveFrontEnd } from './drive-front-end.js';
import { promptVarsFor } from './prompt-vars.js';
import { collectList, type RunFlags, withRunOptions } from './shared-options.js';

interface ResumeFlags extends RunFlags {
  acceptDrift: boolean;
  retry: string[];
  markDone: string[];
}

export const resumeCommand = withRunOptions(
  new Command('resume')
    .description('continue a run where it stopped')
    .argument('[run]', 'run id, or runbook path or name (latest run); default: the latest run'),
)
  .option('--accept-drift', 'go on although the runbook changed since the run started', false)
  .option('--retry <step>', 'retry this interrupted step (repeatable)', collectList, [])
  .option('--mark-done <step>', 'mark this interrupted step done (repeatable)', collectList, [])
  .action(async (ref: string | undefined, flags: ResumeFlags) => {
    const mode = chooseMode(flags);
    const opened = await resumeRun({
      ref,
      stateDir: resolveStateDir(flags.stateDir),
      operator: flags.operator,
      vars: flags.var,
      env: process.env,
      promptVars: promptVarsFor(mode),
      // The TUI shows the drift and asks; headless needs the flag.
      acceptDrift: async () => flags.acceptDrift || mode === 'tui',
      purpose: 'resume',
      warn: (text) => process.stderr.write(`warning: ${text}\n`),
    });
    process.exitCode = await driveFrontEnd(opened, {
      mode,
      purpose: 'resume',
      yes: flags.yes,
      retry: flags.retry,
      markDone: flags.markDone,
    });
  });
