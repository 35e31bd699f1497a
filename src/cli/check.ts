import { Command } from 'commander';
import { resolveOperator } from '../engine/open-run.js';
import { recheckRun } from '../engine/recheck-run.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { ExitCode } from './exit-codes.js';
import { safeOutput } from './safe-output.js';
import { collectVar, withStateDir } from './shared-options.js';

interface CheckFlags {
  stateDir?: string;
  var: Record<string, string>;
  json: boolean;
  operator?: string;
}

export const checkCommand = withStateDir(
  new Command('check')
    .description('run a run\'s read-only checks (steps marked recheck: true) again now, on the targets the run recorded')
    .argument('<run>', 'run id, or runbook path or name (its latest run)')
    .option('--var <k=v>', 'set a variable, e.g. a secret the journal does not keep (repeatable)', collectVar, {})
    .option('--json', 'print the result as JSON', false)
    .option('--operator <name>', 'who checks (default $STEPWISE_OPERATOR or user@host)'),
).action(async (ref: string, flags: CheckFlags) => {
  const report = await recheckRun({
    stateDir: resolveStateDir(flags.stateDir),
    ref,
    env: process.env,
    vars: flags.var,
    operator: resolveOperator(flags.operator, process.env),
  });
  const out = safeOutput(process.stdout);
  if (flags.json) {
    out.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const targets = Object.entries(report.targets).map(([name, t]) => `${name} → ${t}`).join(', ');
    out.write(`${report.run_id} checked at ${report.checked_at} on ${targets}\n`);
    for (const c of report.checks) {
      const what = c.ok ? (c.summary ?? 'holds') : `FAILED: ${c.error ?? 'does not hold'}`;
      out.write(`${c.ok ? '✔' : '✖'} ${c.number} ${c.step}  ${what}\n`);
    }
    const failed = report.checks.filter((c) => !c.ok).length;
    out.write(
      failed === 0
        ? `all ${report.checks.length} checks hold\n`
        : `${failed} of ${report.checks.length} checks do not hold\n`,
    );
  }
  process.exitCode = report.ok ? ExitCode.done : ExitCode.stepFailed;
});
