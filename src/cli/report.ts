import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { isRunLive } from '../journal/run-lock.js';
import { findRun } from '../journal/find-run.js';
import { readRun } from '../journal/run-snapshot.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { reportOf } from '../report/build-report.js';
import { renderReportMarkdown } from '../report/render-report-markdown.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { ExitCode } from './exit-codes.js';
import { safeOutput } from './safe-output.js';
import { withStateDir } from './shared-options.js';

interface ReportFlags {
  stateDir?: string;
  format: 'md' | 'json';
  output?: string;
}

export const reportCommand = withStateDir(
  new Command('report')
    .description('the sign-off sheet of a run (Markdown or JSON)')
    .argument('<run>', 'run id, or runbook path or name (its latest run)')
    .addOption(new Option('--format <format>', 'md or json').choices(['md', 'json']).default('md'))
    .option('--output <file>', 'write the sheet to a file instead of stdout'),
).action((ref: string, flags: ReportFlags) => {
  const stateDir = resolveStateDir(flags.stateDir);
  const { runId, journalPath } = findRun(stateDir, ref);
  const { record, tail } = readRun(journalPath);
  if (record.state === undefined || (tail.from.seq === 0 && tail.events[0]?.type !== 'run.started')) {
    throw new StepwiseError(
      `the journal of ${runId} does not start with run.started; run \`stepwise verify ${runId}\``,
      'stepFailed',
    );
  }
  const report = reportOf(record, {
    problems: tail.problems,
    tornTail: tail.tornTail,
    live: isRunLive(stateDir, record.state.started.runbook.name, runId),
    checkedFromSeq: tail.from.seq > 0 ? tail.from.seq : undefined,
  });
  const text =
    flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderReportMarkdown(report);
  if (flags.output) {
    writeFileSync(flags.output, text);
    process.stderr.write(`wrote the sign-off sheet of ${runId} to ${flags.output}\n`);
  } else safeOutput(process.stdout).write(text);
  process.exitCode = ExitCode.done;
});
