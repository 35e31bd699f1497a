import { Command } from 'commander';
import { type FollowedRun, followRun } from '../client/follow-run.js';
import { resolveState } from '../store/state-location.js';
import { chooseMode } from './choose-mode.js';
import { connectRun, locateRun, type RunPlace } from './connect-run.js';
import { driveTuiClient } from './drive-tui-client.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import { createJsonPrinter } from './json-printer.js';
import { createPlainPrinter } from './plain-printer.js';
import { type StateFlags, withStateDir } from './shared-options.js';

interface WatchFlags extends StateFlags {
  json?: boolean;
  plain?: boolean;
}

export const watchCommand = withStateDir(
  new Command('watch')
    .description('follow a live run read-only (any number at once); Ctrl+C ends only the watcher')
    .argument('[run]', 'run id, or runbook path or name (latest run); default: the latest run')
    .option('--plain', 'one line per event (the default without a terminal)')
    .option('--json', 'events as NDJSON'),
).action(async (ref: string | undefined, flags: WatchFlags) => {
  const state = resolveState(flags);
  const place: RunPlace = { stateDir: state.dir, url: state.url };
  const runId = await locateRun(place, ref);
  if (chooseMode(flags) === 'tui') {
    process.exitCode = await driveTuiClient({ ...place, runId, mode: 'attach', readOnly: true });
    return;
  }
  const client = await connectRun(place, runId, 'watcher');
  let latest: FollowedRun['live'];
  const print = flags.json
    ? createJsonPrinter(process.stdout)
    : createPlainPrinter(process.stdout, {
        tail: (step) => latest?.live.output[step]?.lines ?? [],
      });
  process.once('SIGINT', () => {
    client.close();
    process.exit(ExitCode.interrupted);
  });
  const followed = await followRun(client, print, (live) => (latest = live));
  await client.ended;
  process.exitCode = exitCodeOf(followed.run);
});
