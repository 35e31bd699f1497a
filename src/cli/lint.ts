import { Command } from 'commander';
import { type LintAllowance, lintRunbook } from '../runbook/lint-runbook.js';
import type { Diagnostic } from '../runbook/loaded-runbook.js';
import { ExitCode } from './exit-codes.js';

function formatLine(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}${d.rule ? ` [${d.rule}]` : ''}`;
}

// A step's allowance, so a reviewer sees every silenced rule and why.
function allowanceLine(a: LintAllowance): string {
  const idle = a.silenced === 0 ? ' (nothing to silence)' : '';
  return `${a.file}:${a.line}:${a.col}: allowed: ${a.rule} — ${a.reason}${idle}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// Schema errors with file:line:col and SQL safety warnings, one line each; exit 2 on errors.
export const lintCommand = new Command('lint')
  .description('check runbooks: schema errors with file:line:col, SQL safety warnings, allowed rules')
  .argument('<runbook...>', 'runbook YAML files')
  .option('--strict', 'exit 2 on warnings too', false)
  .action(async (paths: string[], flags: { strict: boolean }) => {
    let errors = 0;
    let warnings = 0;
    let allowances = 0;
    for (const path of paths) {
      const { diagnostics, allowed } = await lintRunbook(path, { env: process.env });
      for (const d of diagnostics) {
        process.stdout.write(`${formatLine(d)}\n`);
        if (d.severity === 'error') errors++;
        else warnings++;
      }
      for (const a of allowed) process.stdout.write(`${allowanceLine(a)}\n`);
      allowances += allowed.length;
    }
    const verdict = errors > 0 || (flags.strict && warnings > 0) ? 'failed' : 'ok';
    const allowedCount = allowances > 0 ? `, ${allowances} allowed` : '';
    process.stderr.write(
      `${plural(paths.length, 'runbook')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${allowedCount} (${verdict})\n`,
    );
    process.exitCode = verdict === 'failed' ? ExitCode.usage : ExitCode.done;
  });
