import { copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { isRunLive } from '../journal/run-lock.js';
import { findRun } from '../journal/find-run.js';
import { type ReadRun, readRun } from '../journal/run-snapshot.js';
import { describeState, resolveState, type StateLocation } from '../store/state-location.js';
import { reportOf } from '../report/build-report.js';
import { renderReportMarkdown } from '../report/render-report-markdown.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { describeHead } from '../journal/anchor-mismatch.js';
import { ExitCode } from './exit-codes.js';
import { safeOutput } from './safe-output.js';
import { withStateDir } from './shared-options.js';
import { sheetWithHead, signedReportPath, signFile } from './signed-report.js';

interface ReportFlags {
  state?: string;
  stateDir?: string;
  format: 'md' | 'json';
  output?: string;
  sign: boolean;
  key?: string;
}

// The operator's key when --key is not given: the first of ssh's usual ones that exists.
function defaultKey(): string {
  const found = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(homedir(), '.ssh', n)).find((p) => existsSync(p));
  if (!found) throw new StepwiseError('no SSH key in ~/.ssh (id_ed25519, id_ecdsa, id_rsa): give --key PATH', 'usage');
  return found;
}

// The run's record; in a state database, also whether an engine holds its lease now (it is live).
async function readForReport(location: StateLocation, ref: string): Promise<ReadRun & { runId: string; leased?: boolean }> {
  if (!location.url) {
    const { runId, journalPath } = findRun(location.dir, ref);
    return { runId, ...readRun(journalPath) };
  }
  const { openStateDatabase, readTeamRun } = await import('../store/team-run.js');
  const { findStoredRun } = await import('../store/find-stored-run.js');
  const db = await openStateDatabase(location.url, 'report');
  try {
    const { runId } = await findStoredRun(db.store, ref, describeState(location));
    const lease = await db.store.lease(runId);
    return { runId, ...(await readTeamRun(db.store, runId)), leased: lease !== undefined && !lease.expired };
  } finally {
    await db.close();
  }
}

export const reportCommand = withStateDir(
  new Command('report')
    .description('the sign-off sheet of a run (Markdown or JSON)')
    .argument('<run>', 'run id, or runbook path or name (its latest run)')
    .addOption(new Option('--format <format>', 'md or json').choices(['md', 'json']).default('md'))
    .option('--output <file>', 'write the sheet to a file instead of stdout')
    .option('--sign', 'sign the sheet and the journal head with your SSH key (ssh-keygen -Y sign), into the run directory', false)
    .option('--key <path>', 'the SSH private key to sign with (default ~/.ssh/id_ed25519, id_ecdsa or id_rsa)'),
).action(async (ref: string, flags: ReportFlags) => {
  const location = resolveState(flags);
  const stateDir = location.dir;
  const { runId, record, tail, leased } = await readForReport(location, ref);
  if (record.state === undefined || (tail.from.seq === 0 && tail.events[0]?.type !== 'run.started')) {
    throw new StepwiseError(
      `the journal of ${runId} does not start with run.started; run \`stepwise verify ${runId}\``,
      'stepFailed',
    );
  }
  const report = reportOf(record, {
    problems: tail.problems,
    tornTail: tail.tornTail,
    live: leased ?? isRunLive(stateDir, record.state.started.runbook.name, runId),
    checkedFromSeq: tail.from.seq > 0 ? tail.from.seq : undefined,
  });
  const text =
    flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderReportMarkdown(report);
  if (flags.sign) {
    await signSheet(stateDir, runId, text, flags, tail);
    return;
  }
  if (flags.output) {
    writeFileSync(flags.output, text);
    process.stderr.write(`wrote the sign-off sheet of ${runId} to ${flags.output}\n`);
  } else safeOutput(process.stdout).write(text);
  process.exitCode = ExitCode.done;
});

// The sheet with the journal's head in it, signed beside itself in the run directory (and copied
// with its signature to --output when given).
async function signSheet(
  stateDir: string,
  runId: string,
  text: string,
  flags: ReportFlags,
  tail: ReturnType<typeof readRun>['tail'],
): Promise<void> {
  if (tail.problems.length > 0 || !tail.end) {
    throw new StepwiseError(`the journal of ${runId} is damaged; nothing was signed: run \`stepwise verify ${runId}\``, 'stepFailed');
  }
  const head = { seq: tail.end.seq, hash: tail.end.hash };
  const key = flags.key ?? defaultKey();
  const path = signedReportPath(stateDir, runId, flags.format);
  // Signed aside first: a failed signing leaves an earlier signed sheet as it was.
  const draft = `${path}.new`;
  writeFileSync(draft, sheetWithHead(text, flags.format, head));
  rmSync(`${draft}.sig`, { force: true });
  const failed = await signFile(key, draft);
  if (failed) {
    rmSync(draft, { force: true });
    throw new StepwiseError(`could not sign the sheet of ${runId} with ${key}: ${failed}`, 'usage');
  }
  renameSync(`${draft}.sig`, `${path}.sig`);
  renameSync(draft, path);
  if (flags.output) {
    copyFileSync(path, flags.output);
    copyFileSync(`${path}.sig`, `${flags.output}.sig`);
  }
  process.stderr.write(
    `signed the sign-off sheet of ${runId} at the journal's ${describeHead(head)}: ${path} and ${path}.sig` +
      `${flags.output ? ` (copied to ${flags.output} and ${flags.output}.sig)` : ''}; \`stepwise verify ${runId}\` checks it\n`,
  );
  process.exitCode = ExitCode.done;
}
