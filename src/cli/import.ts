import { resolve } from 'node:path';
import { Command } from 'commander';
import { openPostgres } from '../db/postgres-connection.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { runIdsByTime } from '../journal/find-run.js';
import { importRun } from '../store/import-run.js';
import { migrate } from '../store/migrate.js';
import { describeState, resolveState } from '../store/state-location.js';
import { withStateDir } from './shared-options.js';

export const importCommand = withStateDir(
  new Command('import')
    .description("put the runs of a state directory (an export, or runs journaled in files) into the team's state database")
    .argument('<dir>', 'the state directory holding runs/<run>/journal.jsonl')
    .argument('[run]', 'only this run (default: every run there)'),
).action(async (dir: string, ref: string | undefined, flags: { state?: string; stateDir?: string }) => {
  const location = resolveState(flags);
  if (!location.url) throw new StepwiseError('import writes into a state database: give --state postgres://… (or STEPWISE_STATE)', 'usage');
  const from = resolve(dir);
  const runs = ref === undefined ? runIdsByTime(from) : [ref];
  if (runs.length === 0) throw new StepwiseError(`no runs in ${from}`, 'usage');
  const conn = await openPostgres(location.url, { applicationName: 'stepwise import', statementTimeoutMs: 60_000 });
  try {
    await migrate(conn);
    for (const runId of runs) {
      const events = await importRun(conn, from, runId);
      process.stdout.write(`imported ${runId}: ${events} events into ${describeState(location)}\n`);
    }
  } finally {
    await conn.close();
  }
});
