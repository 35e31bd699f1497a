import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { StepwiseError } from '../errors/stepwise-error.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { isDuration } from '../runbook/duration-ms.js';
import { chooseMode } from './choose-mode.js';
import { driveHeadlessClient } from './drive-headless-client.js';
import { driveTuiClient } from './drive-tui-client.js';
import { openEngine } from './open-engine.js';
import { type RunFlags, withRunOptions } from './shared-options.js';

const demoRunbook = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'runbooks',
  'queue-migration',
  'runbook.yaml',
);

export const demoCommand = withRunOptions(
  new Command('demo')
    .description(
      'the queue-migration runbook on an embedded database seeded with demo data (no server needed)',
    )
    .option('--reset', 'start over: fresh demo data and a new run', false)
    .option('--runbook <path>', 'another runbook with a `demo:` generator', demoRunbook)
    .option('--soak <duration>', 'how long each soak lasts in the demo instead of its `for`', '10s'),
).action(async (flags: RunFlags & { reset: boolean; runbook: string; soak: string }) => {
  if (!isDuration(flags.soak))
    throw new StepwiseError(`--soak ${flags.soak}: must be a duration such as 10s, 5m or 24h`);
  const stateDir = resolveStateDir(flags.stateDir);
  const mode = chooseMode(flags);
  const common = {
    runbook: flags.runbook,
    stateDir,
    vars: flags.var,
    operator: flags.operator,
    reset: flags.reset,
    soakFor: flags.soak,
  };
  // The engine seeds and opens the embedded database: this process never loads it.
  const { runId, opened } = await openEngine({ kind: 'demo', ...common }, mode);
  if (mode === 'tui') {
    process.exitCode = await driveTuiClient({ stateDir, runId, mode: opened === 'start' ? 'run' : 'resume', operator: flags.operator });
    return;
  }
  if (opened === 'attach') {
    throw new StepwiseError(`demo run ${runId} is served by its engine: \`stepwise watch ${runId}\` follows it`, 'locked');
  }
  process.exitCode = await driveHeadlessClient({
    stateDir,
    runId,
    mode,
    operator: flags.operator,
    drive: { intent: 'drive', yes: flags.yes, retry: [], markDone: [] },
  });
});
