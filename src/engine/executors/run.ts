import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import { StepwiseError } from '../../cli/exit-codes.js';
import type { RunBody, RunCheck } from '../../runbook/schema.js';
import type { ExecContext, StepResult } from '../executor.js';
import { killProcessGroup } from '../kill-process-group.js';
import { maskedOutput } from './masked-output.js';
import { OutputMatcher } from './output-matcher.js';

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

// Streams a pipe to the step output as it comes (decoded, masked); returns what ends it.
function follow(stream: Readable | null, ctx: ExecContext, matcher?: OutputMatcher): () => void {
  const decoder = new StringDecoder('utf8');
  const out = maskedOutput(ctx.render.mask, ctx.output);
  const take = (text: string) => {
    matcher?.push(text);
    out.write(text);
  };
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    take(decoder.end());
    out.end();
  };
  stream?.on('data', (chunk: Buffer) => take(decoder.write(chunk)));
  stream?.once('end', end);
  return end;
}

// The `run` executor (and run checks): a command as its own process group; aborting ctx.signal
// ends the whole group.
export async function runCommand(
  body: RunBody,
  ctx: ExecContext,
  expectOverride?: RunExpect,
): Promise<StepResult> {
  ctx.signal.throwIfAborted();
  const command = commandOf(body, ctx);
  const expect: RunExpect = { ...(Array.isArray(body) ? {} : body.expect), ...expectOverride };
  const exits = expect.exit ?? [0];
  const matcher = expect.stdout === undefined ? undefined : new OutputMatcher(patternOf(expect.stdout));
  const child = execa(command.file, command.args, {
    cwd: command.cwd,
    env: command.env,
    detached: true,
    buffer: false,
    stdin: 'ignore',
    reject: false,
  });
  if (child.pid !== undefined) ctx.processStarted(child.pid);
  const endStdout = follow(child.stdout, ctx, matcher);
  const endStderr = follow(child.stderr, ctx);
  let ending: Promise<boolean> | undefined;
  const endGroup = () => {
    if (child.pid !== undefined) ending ??= killProcessGroup(child.pid);
  };
  ctx.signal.addEventListener('abort', endGroup, { once: true });
  // A step leaves nothing behind: what it started in the background goes when it exits.
  child.once('exit', endGroup);
  let result: Awaited<typeof child>;
  try {
    result = await child;
  } finally {
    ctx.signal.removeEventListener('abort', endGroup);
    await ending;
    endStdout();
    endStderr();
  }
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (result.exitCode === undefined && !result.signal) {
    const notFound =
      result.code === 'ENOENT' ? 'command not found; check the run: of the runbook and PATH' : '';
    return { ok: false, error: `${command.file}: ${notFound || result.originalMessage}` };
  }
  const failures: string[] = [];
  if (result.exitCode === undefined) failures.push(`killed by ${result.signal}`);
  else if (!exits.includes(result.exitCode))
    failures.push(`exit ${result.exitCode}, expected ${exits.join(' or ')}`);
  if (matcher && !matcher.matched) failures.push(`the output did not match /${expect.stdout}/`);
  const details = {
    expected: { exit: exits, ...(matcher ? { stdout: `/${expect.stdout}/` } : {}) },
    actual: {
      exit: result.exitCode ?? result.signal,
      ...(matcher ? { stdout: matcher.matched ? 'matched' : 'no match' } : {}),
    },
    failures,
  };
  if (failures.length) return { ok: false, error: failures.join('; '), details };
  const summary = `exit ${result.exitCode}${matcher ? `, output matched /${expect.stdout}/` : ''}`;
  return { ok: true, summary, details };
}
