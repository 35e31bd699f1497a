import { resolve } from 'node:path';
import { Command } from 'commander';
import { startRun } from '../engine/open-run.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { liveEngineRecord } from '../protocol/engine-record.js';
import { chooseMode } from './choose-mode.js';
import { driveTuiClient } from './drive-tui-client.js';
import { openEngine } from './open-engine.js';
import { driveFrontEnd } from './drive-front-end.js';
import { promptVarsFor } from './prompt-vars.js';
import { type RunFlags, withRunOptions } from './shared-options.js';

interface RunCommandFlags extends RunFlags {
  detach: boolean;
}

export const runCommand = withRunOptions(
  new Command('run')
    .description('start a new run of a runbook')
    .argument('<runbook>', 'path to the runbook YAML'),
)
  .option('--detach', 'start the run in a background engine and return (with --yes it drives itself)', false)
  .action(async (runbook: string, flags: RunCommandFlags) => {
    const stateDir = resolveStateDir(flags.stateDir);
    const request = {
      kind: 'start' as const,
      runbook: resolve(runbook),
      stateDir,
      vars: flags.var,
      operator: flags.operator,
    };
    if (flags.detach) {
      const { runId } = await openEngine({ ...request, drive: flags.yes ? { yes: true, phrases: flags.confirm } : undefined }, 'plain');
      const pid = liveEngineRecord(stateDir, runId)?.pid;
      process.stdout.write(
        `run ${runId} started in the background (engine pid ${pid})\n` +
          `  follow it: stepwise watch ${runId}\n  act on it: stepwise attach ${runId}\n` +
          `  sign what waits: stepwise approve ${runId}\n`,
      );
      return;
    }
    const mode = chooseMode(flags);
    if (mode === 'tui') {
      const { runId } = await openEngine(request, mode);
      process.exitCode = await driveTuiClient({ stateDir, runId, mode: 'run', operator: flags.operator });
      return;
    }
    const opened = await startRun(runbook, {
      stateDir,
      operator: flags.operator,
      vars: flags.var,
      env: process.env,
      promptVars: promptVarsFor(mode),
    });
    process.exitCode = await driveFrontEnd(opened, { mode, purpose: 'run', yes: flags.yes, phrases: flags.confirm });
  });
