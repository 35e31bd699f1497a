import { Command } from 'commander';
import { resolveState } from '../store/state-location.js';
import { liveEngineRecord } from '../protocol/engine-record.js';
import { chooseMode } from './choose-mode.js';
import { driveTuiClient } from './drive-tui-client.js';
import { openEngine } from './open-engine.js';
import { driveHeadlessClient } from './drive-headless-client.js';
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
    const { dir: stateDir, url: stateUrl } = resolveState(flags);
    const request = {
      kind: 'start' as const,
      // As typed: the engine starts in this directory, and messages name the runbook as given.
      runbook,
      stateDir,
      stateUrl,
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
    const { runId } = await openEngine(request, mode);
    process.exitCode =
      mode === 'tui'
        ? await driveTuiClient({ stateDir, runId, mode: 'run', operator: flags.operator })
        : await driveHeadlessClient({
            stateDir,
            runId,
            mode,
            operator: flags.operator,
            drive: { intent: 'drive', yes: flags.yes, retry: [], markDone: [], phrases: flags.confirm },
          });
  });
