import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { StepwiseError } from '../../errors/stepwise-error.js';
import type { RunBody, RunCheck } from '../../runbook/schema.js';
import type { ExecContext, StepResult } from '../executor.js';
import type { ProcessOutcome } from '../process/process-job.js';
import { runInWorker } from '../process/run-in-worker.js';

export type RunExpect = NonNullable<RunCheck['expect']>;

interface Command {
  file: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
}

// argv elements are filled in one by one and never see a shell; `{ shell }` gets shell-quoted values.
function commandOf(body: RunBody, ctx: ExecContext): Command {
  const spec = Array.isArray(body) ? { argv: body } : body;
  let argv: string[];
  if (spec.shell !== undefined) argv = ['/bin/sh', '-c', ctx.render.shell(spec.shell)];
  else if (spec.argv) argv = spec.argv.map((arg) => ctx.render.text(arg));
  else throw new StepwiseError(`step ${ctx.step.id}: run needs an argv list or { shell: "…" }`);
  const cwd = resolve(ctx.runbookDir, spec.cwd === undefined ? '.' : ctx.render.text(spec.cwd));
  if (!existsSync(cwd))
    throw new StepwiseError(`step ${ctx.step.id}: the working directory ${cwd} does not exist`);
  const env =
    spec.env && Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, ctx.render.text(v)]));
  return { file: argv[0], args: argv.slice(1), cwd, env };
}

function patternOf(source: string): RegExp {
  try {
    return new RegExp(source, 'm');
  } catch (error) {
    throw new StepwiseError(
      `expect.stdout /${source}/ is not a regular expression: ${(error as Error).message}`,
    );
  }
}

// The `run` executor (and run checks): a command as its own process group, run from the process
// worker thread; aborting ctx.signal ends the whole group.
export async function runExecutor(
  body: RunBody,
  ctx: ExecContext,
  expectOverride?: RunExpect,
): Promise<StepResult> {
  ctx.signal.throwIfAborted();
  const command = commandOf(body, ctx);
  const expect: RunExpect = { ...(Array.isArray(body) ? {} : body.expect), ...expectOverride };
  const exits = expect.exit ?? [0];
  const pattern = expect.stdout === undefined ? undefined : patternOf(expect.stdout).source;
  const running = runInWorker(
    {
      ...command,
      secrets: ctx.render.secrets,
      log: ctx.processOutput.log,
      processGroupFile: ctx.processOutput.processGroupFile,
      pattern,
    },
    { spawned: (pid) => ctx.processStarted(pid), tail: (tail) => ctx.processOutput.tail(tail) },
  );
  const abort = () => running.abort();
  ctx.signal.addEventListener('abort', abort, { once: true });
  let outcome: ProcessOutcome;
  try {
    outcome = await running.done;
  } finally {
    ctx.signal.removeEventListener('abort', abort);
  }
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (outcome.startError) {
    const notFound =
      outcome.startError.code === 'ENOENT' ? 'command not found; check the run: of the runbook and PATH' : '';
    return { ok: false, error: `${command.file}: ${notFound || outcome.startError.message}` };
  }
  const matched = pattern === undefined ? undefined : outcome.matched;
  const failures: string[] = [];
  if (outcome.exitCode === undefined) failures.push(`killed by ${outcome.signal}`);
  else if (!exits.includes(outcome.exitCode))
    failures.push(`exit ${outcome.exitCode}, expected ${exits.join(' or ')}`);
  if (matched === false) failures.push(`the output did not match /${expect.stdout}/`);
  const details = {
    expected: { exit: exits, ...(matched === undefined ? {} : { stdout: `/${expect.stdout}/` }) },
    actual: {
      exit: outcome.exitCode ?? outcome.signal,
      ...(matched === undefined ? {} : { stdout: matched ? 'matched' : 'no match' }),
    },
    failures,
  };
  if (failures.length) return { ok: false, error: failures.join('; '), details };
  const logNote = outcome.logError ? ` (the log file is incomplete: ${outcome.logError})` : '';
  const summary = `exit ${outcome.exitCode}${matched ? `, output matched /${expect.stdout}/` : ''}${logNote}`;
  return { ok: true, summary, details };
}
