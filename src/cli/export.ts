import { resolve } from 'node:path';
import { Command } from 'commander';
import { StepwiseError } from '../errors/stepwise-error.js';
import { exportRun } from '../store/export-run.js';
import { findStoredRun } from '../store/find-stored-run.js';
import { describeState, resolveState } from '../store/state-location.js';
import { openStateDatabase } from '../store/team-run.js';
import { withStateDir } from './shared-options.js';

export const exportCommand = withStateDir(
  new Command('export')
    .description("write a run of the team's state database as a file journal (with its logs), to archive or verify")
    .argument('<run>', 'run id, or runbook name (its latest run)')
    .requiredOption('--to <dir>', 'the state directory to write it into (runs/<run>/journal.jsonl)'),
).action(async (ref: string, flags: { state?: string; stateDir?: string; to: string }) => {
  const location = resolveState(flags);
  if (!location.url) throw new StepwiseError('export reads a state database: give --state postgres://… (or STEPWISE_STATE)', 'usage');
  const db = await openStateDatabase(location.url, 'export');
  try {
    const { runId } = await findStoredRun(db.store, ref, describeState(location));
    const to = resolve(flags.to);
    const done = await exportRun(db.store, runId, to);
    process.stdout.write(
      `exported ${runId}: ${done.events} events and ${done.logs} log(s) to ${done.path}\n` +
        `  check it: stepwise verify ${runId} --state-dir ${to}\n`,
    );
  } finally {
    await db.close();
  }
});
