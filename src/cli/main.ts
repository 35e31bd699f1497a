#!/usr/bin/env node
import { Command } from 'commander';
import { onFatal } from '../errors/fatal.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { stepwiseVersion } from '../format/stepwise-version.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

const program = new Command('stepwise')
  .description('An interactive runbook for the terminal: checklists, checkpoints, resume and rollback')
  .version(stepwiseVersion)
  .showHelpAfterError()
  .exitOverride();

// Each subcommand lives in its own file and exports a commander Command; add it here. Only the
// command named on the command line is loaded: loading them all (drizzle, execa, PGlite) took
// most of a short command's time. Help, --version and unknown names load every one.
const loaders: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run.js')).runCommand,
  resume: async () => (await import('./resume.js')).resumeCommand,
  rollback: async () => (await import('./rollback.js')).rollbackCommand,
  plan: async () => (await import('./plan.js')).planCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  lint: async () => (await import('./lint.js')).lintCommand,
  status: async () => (await import('./status.js')).statusCommand,
  log: async () => (await import('./log.js')).logCommand,
  report: async () => (await import('./report.js')).reportCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  export: async () => (await import('./export.js')).exportCommand,
  import: async () => (await import('./import.js')).importCommand,
  watch: async () => (await import('./watch.js')).watchCommand,
  attach: async () => (await import('./attach.js')).attachCommand,
  approve: async () => (await import('./approve.js')).approveCommand,
  check: async () => (await import('./check.js')).checkCommand,
  rehearse: async () => (await import('./rehearse.js')).rehearseCommand,
};
const named = Object.hasOwn(loaders, process.argv[2] ?? '') ? loaders[process.argv[2]] : undefined;
// A rehearsal runs its steps in this process: it starts the process worker now, which loads
// execa on the other core while this thread loads the command. Every other command that runs
// steps is a client of the run's engine process, which has a worker of its own.
if (process.argv[2] === 'rehearse') (await import('../engine/process/run-in-worker.js')).warmUpProcessWorker();
// A file-size limit (ulimit -f) fails the write with EFBIG, reported like a full disk, instead of
// killing the process mid-line.
process.on('SIGXFSZ', () => {});
// The journal cannot be written: say so once and exit, which ends the step's sessions and frees
// the run lock and the database's advisory lock.
onFatal((error) => {
  process.stderr.write(`stepwise: ${error.message}\n`);
  process.exit(exitCodeFor(error.kind));
});
const commands = named ? [await named()] : await Promise.all(Object.values(loaders).map((load) => load()));
// addCommand does not pass exitOverride and friends down: usage errors must exit 2 here, not 1.
for (const command of commands) program.addCommand(command.copyInheritedSettings(program));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof StepwiseError) {
    process.stderr.write(`stepwise: ${error.message}\n`);
    process.exitCode = exitCodeFor(error.kind);
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
