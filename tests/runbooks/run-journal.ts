import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEvent } from '../../src/journal/events.js';
import { readJournal } from '../../src/journal/file-journal.js';
import { type RunState, replay } from '../../src/journal/reducer.js';
import { type CliOptions, runCli } from '../helpers/run-cli.js';

// The only run of a test's state dir: its events and the state they reduce to.
export function onlyRun(stateDir: string): { events: JournalEvent[]; state: RunState } {
  const runs = readdirSync(join(stateDir, 'runs'));
  if (runs.length !== 1) throw new Error(`expected one run in ${stateDir}, found ${runs.length}`);
  const { events, problems } = readJournal(join(stateDir, 'runs', runs[0], 'journal.jsonl'));
  if (problems.length > 0) throw new Error(`journal problems: ${JSON.stringify(problems)}`);
  const state = replay(events);
  if (!state) throw new Error('the journal holds no run');
  return { events, state };
}

// Steps by status, so a failing assertion names the steps that did not succeed.
export function stepsByStatus(state: RunState): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const id of state.order) {
    const status = state.steps[id].status;
    grouped[status] = [...(grouped[status] ?? []), id];
  }
  return grouped;
}

// A whole runbook forward and back is a dozen CLI processes; on the embedded database each opens
// PGlite again. Generous, so a machine busy with other work slows the test without failing it.
export const runbookTimeout = 300_000;

// `stepwise run ARGS`, then each soak it stops at (exit 3) ended early with a reason, the way
// an operator signs a watch off: no test waits out a day. Answers the last command's result
// and the soaks in the order they were ended.
export async function runEndingSoaks(runArgs: string[], options: CliOptions, resumeArgs: string[] = []) {
  let result = await runCli(['run', ...runArgs], options);
  const ended: string[] = [];
  while (result.exitCode === 3) {
    const { state } = onlyRun(options.stateDir);
    const soaking = state.order.find((id) => state.steps[id].status === 'soaking');
    if (!soaking) break;
    ended.push(soaking);
    result = await runCli(
      ['resume', '--yes', '--plain', ...resumeArgs, '--end-soak', soaking, '--reason', 'watched in the test'],
      options,
    );
  }
  return { result, ended };
}
