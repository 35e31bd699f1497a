import { Command } from 'commander';
import { verifyAnchors } from '../engine/check-anchors.js';
import type { JournalProblem } from '../journal/file-journal.js';
import { readJournal } from '../journal/file-journal.js';
import { findRun } from '../journal/find-run.js';
import { ReduceError, type RunState, reduce } from '../journal/reducer.js';
import { type ReadResult } from '../journal/file-journal.js';
import { describeState, resolveState, type StateLocation } from '../store/state-location.js';

import { describeAnchors } from './describe-anchors.js';
import { ExitCode } from './exit-codes.js';
import { safeOutput } from './safe-output.js';
import { withStateDir } from './shared-options.js';
import { describeSignedReport } from './signed-report.js';

// Events the reducer refuses, each at its journal line; the replay goes on past them.
function replayChecked(read: ReturnType<typeof readJournal>): { state?: RunState; rejected: JournalProblem[] } {
  const rejected: JournalProblem[] = [];
  let state: RunState | undefined;
  read.events.forEach((event, i) => {
    try {
      state = reduce(state, event);
    } catch (error) {
      if (!(error instanceof ReduceError)) throw error;
      rejected.push({ line: read.lines[i], message: `event rejected: ${error.message}` });
    }
  });
  return { state, rejected };
}

// The whole journal of the run, and how its lines are named: the file, or the run in the database.
async function readWhole(location: StateLocation, ref: string): Promise<{ runId: string; journalPath: string; read: ReadResult }> {
  if (!location.url) {
    const { runId, journalPath } = findRun(location.dir, ref);
    return { runId, journalPath, read: readJournal(journalPath) };
  }
  const { openStateDatabase, readTeamJournal } = await import('../store/team-run.js');
  const { findStoredRun } = await import('../store/find-stored-run.js');
  const db = await openStateDatabase(location.url, 'verify');
  try {
    const { runId } = await findStoredRun(db.store, ref, describeState(location));
    return { runId, journalPath: `${describeState(location)} ${runId}`, read: await readTeamJournal(db.store, runId) };
  } finally {
    await db.close();
  }
}

export const verifyCommand = withStateDir(
  new Command('verify')
    .description(
      'check a run journal: hash chain, damaged lines, torn tail, events the replay rejects, and the head its databases anchored',
    )
    .argument('<run>', 'run id, or runbook path or name (its latest run)')
    .option('--allowed-signers <file>', 'check a signed report\'s key against this allowed-signers file (ssh-keygen -Y verify)'),
).action(async (ref: string, flags: { state?: string; stateDir?: string; allowedSigners?: string }) => {
  const location = resolveState(flags);
  const stateDir = location.dir;
  const { runId, journalPath, read } = await readWhole(location, ref);
  const { state, rejected } = replayChecked(read);
  const problems = [...read.problems, ...rejected].sort((a, b) => a.line - b.line);
  const out = safeOutput(process.stdout);
  for (const p of problems) out.write(`${journalPath}:${p.line}: ${p.message}\n`);
  if (read.tornTail) out.write(`${journalPath}:${read.tornTail.line}: warning: ${read.tornTail.message}\n`);
  if (problems.length) {
    out.write(`${runId}: journal damaged: ${problems.length} problem(s) in ${read.events.length} events\n`);
  } else {
    const last = read.events.at(-1)?.hash;
    out.write(
      `${runId}: journal intact: ${read.events.length} events, hash chain ok${last ? ` (last hash ${last})` : ''}\n`,
    );
  }
  const verdicts = state ? await verifyAnchors({ stateDir, env: process.env, runId, state, read }) : [];
  const anchors = describeAnchors(runId, state, verdicts);
  for (const line of anchors.lines) out.write(`${line}\n`);
  const last = read.events.at(-1);
  const signed = await describeSignedReport(stateDir, runId, last && { seq: last.seq, hash: last.hash }, flags.allowedSigners);
  if (signed) out.write(`${signed.line}\n`);
  process.exitCode = problems.length || anchors.failed || signed?.failed ? ExitCode.stepFailed : ExitCode.done;
});
