import { Command } from 'commander';
import { StepwiseError } from '../errors/stepwise-error.js';
import { resolveState } from '../store/state-location.js';
import { liveEngineRecord } from '../protocol/engine-record.js';
import { chooseMode } from './choose-mode.js';
import { connectRun, locateRun, type RunPlace } from './connect-run.js';
import { driveTuiClient } from './drive-tui-client.js';
import { type StateFlags, withStateDir } from './shared-options.js';

// The live engine compares its servers with the targets pinned at run.started, as resume and
// rollback do, before the operator's screen opens: a moved target refuses (exit 2, both named).
async function requireRunTargets(place: RunPlace, runId: string): Promise<void> {
  const client = await connectRun(place, runId, 'operator');
  try {
    await client.request({ intent: 'checkTargets' });
  } finally {
    client.close();
  }
}

export const attachCommand = withStateDir(
  new Command('attach')
    .description('open the TUI on a live run (its engine goes on without you when you detach)')
    .argument('[run]', 'run id, or runbook path or name (latest run); default: the latest run')
    .option('--operator <name>', 'a display name shown beside your verified Unix user (team mode: your database role)'),
).action(async (ref: string | undefined, flags: StateFlags & { operator?: string }) => {
  const state = resolveState(flags);
  const place: RunPlace = { stateDir: state.dir, url: state.url };
  const runId = await locateRun(place, ref);
  // Attach starts no engine: `resume` does, after comparing the targets. In team mode the state
  // database says whether an engine serves the run (connecting does).
  if (!place.url && !liveEngineRecord(place.stateDir, runId))
    throw new StepwiseError(`no engine serves run ${runId} (it is paused or finished): \`stepwise resume ${runId}\` starts one`);
  await requireRunTargets(place, runId);
  if (chooseMode({}) !== 'tui')
    throw new StepwiseError('attach opens the TUI: run it in a terminal (`stepwise watch --plain` follows a run without one)');
  process.exitCode = await driveTuiClient({ ...place, runId, mode: 'attach', operator: flags.operator });
});
