#!/usr/bin/env node
import { Command } from 'commander';
import { demoCommand } from './demo.js';
import { ExitCode, StepwiseError } from './exit-codes.js';
import { lintCommand } from './lint.js';
import { logCommand } from './log.js';
import { planCommand } from './plan.js';
import { reportCommand } from './report.js';
import { resumeCommand } from './resume.js';
import { rollbackCommand } from './rollback.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

const program = new Command('stepwise')
  .description('An interactive runbook for the terminal: checklists, checkpoints, resume and rollback')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

// Each subcommand lives in its own file and exports a commander Command; add it here.
const commands: Command[] = [
  runCommand,
  resumeCommand,
  rollbackCommand,
  planCommand,
  demoCommand,
  lintCommand,
  statusCommand,
  logCommand,
  reportCommand,
  verifyCommand,
];
// addCommand does not pass exitOverride and friends down: usage errors must exit 2 here, not 1.
for (const command of commands) program.addCommand(command.copyInheritedSettings(program));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof StepwiseError) {
    process.stderr.write(`stepwise: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (error && typeof error === 'object' && 'exitCode' in error && 'code' in error) {
    // commander's own exits (help, version, usage errors) have already printed their message.
    const code = (error as { exitCode: number; code: string }).code;
    process.exitCode =
      code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : ExitCode.usage;
  } else {
    process.stderr.write(
      `stepwise: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.stderr.write(
      'This is a bug in stepwise; the journal is intact. Run `stepwise status` to see the run.\n',
    );
    process.exitCode = ExitCode.stepFailed;
  }
}
