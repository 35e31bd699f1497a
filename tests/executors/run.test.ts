import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runExecutor } from '../../src/engine/executors/run.js';
import type { TailSnapshot } from '../../src/engine/output-tail.js';
import { makeExecContext } from '../helpers/exec-context.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'stepwise-run-'));

function processTable(): Array<{ pid: number; pgid: number; zombie: boolean }> {
  return execFileSync('ps', ['-eo', 'pid=,pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 3)
    .map(([pid, pgid, stat]) => ({ pid: Number(pid), pgid: Number(pgid), zombie: stat.startsWith('Z') }));
}

// Processes of a group that still run. A zombie is dead: it only waits for init to reap it,
// which some containers do slowly, so process.kill(pid, 0) alone would still see it.
function groupMembers(pgid: number): number[] {
  return processTable()
    .filter((p) => p.pgid === pgid && !p.zombie)
    .map((p) => p.pid);
}

function stillRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return processTable().some((p) => p.pid === pid && !p.zombie);
}

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

describe('run steps', () => {
  it('succeeds on an expected exit code and fails on another, saying which', async () => {
    const { ctx } = makeExecContext();
    expect(await runExecutor(['true'], ctx)).toMatchObject({ ok: true, summary: 'exit 0' });
    const failed = await runExecutor({ shell: 'exit 3' }, ctx);
    expect(failed).toMatchObject({
      ok: false,
      error: 'exit 3, expected 0',
      details: { expected: { exit: [0] }, actual: { exit: 3 } },
    });
    expect(await runExecutor({ shell: 'exit 3', expect: { exit: [0, 3] } }, ctx)).toMatchObject({ ok: true });
  });

  it('streams stdout and stderr to the step output, masking secrets even across chunks', async () => {
    const { ctx, output } = makeExecContext({ vars: { token: 'tok-12345678' }, secretVars: ['token'] });
    // The secret is printed in two writes with a pause between them.
    const result = await runExecutor(
      { shell: "printf 'line one\\ntoken tok-1234'; sleep 0.05; printf '5678 end\\n'; echo oops >&2" },
      ctx,
    );
    expect(result.ok).toBe(true);
    expect(output()).toContain('line one\n');
    expect(output()).toContain('token *** end\n');
    expect(output()).toContain('oops\n');
    expect(output()).not.toContain('tok-1234');
  });

  it('shows a line without a newline after a short quiet spell', async () => {
    const { ctx, output } = makeExecContext();
    const running = runExecutor({ shell: "printf 'working...'; sleep 1; echo ' done'" }, ctx);
    await waitFor(() => output().includes('working...'), 900);
    await running;
    expect(output()).toBe('working... done\n');
  });

  it('matches expect.stdout against the output as it streams', async () => {
    const { ctx } = makeExecContext();
    const ready = await runExecutor(
      {
        shell: "seq 1 100000; printf 'server rea'; sleep 0.05; echo 'dy on :8080'",
        expect: { stdout: '^server ready on :\\d+$' },
      },
      ctx,
    );
    expect(ready).toMatchObject({ ok: true, summary: 'exit 0, output matched /^server ready on :\\d+$/' });
    const silent = await runExecutor({ shell: 'echo starting', expect: { stdout: 'ready' } }, ctx);
    expect(silent).toMatchObject({
      ok: false,
      error: 'the output did not match /ready/',
      details: { expected: { exit: [0], stdout: '/ready/' }, actual: { exit: 0, stdout: 'no match' } },
    });
  });

  it('writes 500,000 lines to the log off the main thread and hands back only a bounded tail', async () => {
    const { ctx, output } = makeExecContext();
    const tails: TailSnapshot[] = [];
    ctx.processOutput.tail = (tail) => tails.push(tail);
    ctx.output = () => {
      throw new Error('a command output does not pass through the main thread');
    };
    const result = await runExecutor(['seq', '1', '500000'], ctx);
    expect(result.ok).toBe(true);
    expect(output().length).toBe(3388895);
    const last = tails.at(-1)!;
    expect(last.total).toBe(500_000);
    expect(last.lines).toHaveLength(200);
    expect(last.lines.at(-1)).toBe('500000');
    expect(last.lines[0]).toBe('499801');
  });

  it('lets a command with nothing to mask write its log itself, stdout and stderr in the order written', async () => {
    const { ctx, output } = makeExecContext();
    const tails: TailSnapshot[] = [];
    ctx.processOutput.tail = (tail) => tails.push(tail);
    const shell = 'readlink /proc/$$/fd/1; echo two >&2; echo three; readlink /proc/$$/fd/2';
    expect((await runExecutor({ shell }, ctx)).ok).toBe(true);
    const log = ctx.processOutput.log!;
    expect(output()).toBe(`${log}\ntwo\nthree\n${log}\n`);
    expect(tails.at(-1)).toEqual({ lines: [log, 'two', 'three', log], total: 4 });
  });

  it('reads the output through a pipe when a secret is to be masked or expect.stdout matched', async () => {
    const descriptors = { shell: 'readlink /proc/$$/fd/1 /proc/$$/fd/2' };
    // Node's pipes to a child are socket pairs.
    const piped = /^socket:\[\d+\]\nsocket:\[\d+\]\n$/;
    const masked = makeExecContext({ vars: { token: 'tok-12345678' }, secretVars: ['token'] });
    expect((await runExecutor(descriptors, masked.ctx)).ok).toBe(true);
    expect(masked.output()).toMatch(piped);
    const matched = makeExecContext();
    expect((await runExecutor({ ...descriptors, expect: { stdout: 'socket' } }, matched.ctx)).ok).toBe(true);
    expect(matched.output()).toMatch(piped);
  });

  it('writes its process group beside the log the moment it starts, and removes it once the group is gone', async () => {
    const { ctx } = makeExecContext();
    const file = join(scratch(), 'step.1.pgid');
    ctx.processOutput.processGroupFile = file;
    let pgid: number | undefined;
    ctx.processStarted = (started) => {
      pgid = started;
    };
    const running = runExecutor({ shell: 'sleep 0.5' }, ctx);
    await waitFor(() => existsSync(file));
    await waitFor(() => pgid !== undefined);
    expect(Number(readFileSync(file, 'utf8'))).toBe(pgid);
    expect((await running).ok).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it('still reports a command that succeeded when its log cannot be written (full disk)', async () => {
    const { ctx } = makeExecContext();
    ctx.processOutput.log = '/dev/full';
    const result = await runExecutor(['seq', '1', '100000'], ctx);
    expect(result).toMatchObject({ ok: true });
    expect(result.summary).toMatch(/^exit 0 \(the log file is incomplete: ENOSPC/);
  });

  it('runs in the runbook directory with rendered env, and reports a missing command', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'scripts'));
    const { ctx, output } = makeExecContext({ runbookDir: dir, vars: { region: 'eu-west' } });
    const result = await runExecutor(
      { shell: 'pwd; echo "$REGION"', cwd: 'scripts', env: { REGION: '{{ vars.region }}' } },
      ctx,
    );
    expect(result.ok).toBe(true);
    expect(output()).toBe(`${join(dir, 'scripts')}\neu-west\n`);
    expect(await runExecutor(['no-such-command-xyz'], ctx)).toMatchObject({
      ok: false,
      error: 'no-such-command-xyz: command not found; check the run: of the runbook and PATH',
    });
    await expect(runExecutor({ argv: ['true'], cwd: 'nowhere' }, ctx)).rejects.toThrow(
      /working directory .*nowhere does not exist/,
    );
  });

  it('on timeout ends the whole process group, grandchildren included', async () => {
    const { ctx, output, abort } = makeExecContext();
    const running = runExecutor({ shell: 'echo "group $$"; sleep 100 & sleep 100 | cat; wait' }, ctx);
    await waitFor(() => /group \d+/.test(output()));
    const pgid = Number(/group (\d+)/.exec(output())![1]);
    await waitFor(() => groupMembers(pgid).length >= 4);
    const members = groupMembers(pgid);
    abort(new Error('timed out after 1s'));
    await expect(running).rejects.toThrow('timed out after 1s');
    expect(groupMembers(pgid)).toEqual([]);
    expect(members.filter(stillRunning)).toEqual([]);
  });

  it('kills a step that ignores SIGTERM after the grace period', async () => {
    const { ctx, output, abort } = makeExecContext();
    const running = runExecutor({ shell: 'trap \'\' TERM; echo "group $$"; sleep 100 & wait; wait' }, ctx);
    await waitFor(() => /group \d+/.test(output()));
    const pgid = Number(/group (\d+)/.exec(output())![1]);
    abort(new Error('cancelled by the operator'));
    await expect(running).rejects.toThrow('cancelled by the operator');
    expect(groupMembers(pgid)).toEqual([]);
  });

  it('leaves nothing running in the background after the step exits', async () => {
    const dir = scratch();
    const { ctx } = makeExecContext({ vars: { pidfile: join(dir, 'pid') } });
    const result = await runExecutor({ shell: 'sleep 100 & echo $! > {{ vars.pidfile }}' }, ctx);
    expect(result.ok).toBe(true);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    expect(stillRunning(pid)).toBe(false);
  });

  it('does not start when the step was cancelled before it began', async () => {
    const dir = scratch();
    const { ctx, abort } = makeExecContext();
    abort(new Error('cancelled'));
    await expect(runExecutor(['touch', join(dir, 'started')], ctx)).rejects.toThrow('cancelled');
    expect(existsSync(join(dir, 'started'))).toBe(false);
  });

  it('carries shell metacharacters in variables as plain values in argv and in shell strings', async () => {
    const dir = scratch();
    const touched = join(dir, 'pwned');
    const values = {
      quote: "'; rm -rf /tmp/nothing; '",
      subst: `$(touch ${touched})`,
      tick: `\`touch ${touched}\``,
    };
    const { ctx, output } = makeExecContext({ vars: values });
    const argv = await runExecutor(
      ['printf', '%s\\n', '{{ vars.quote }}', '{{ vars.subst }}', '{{ vars.tick }}'],
      ctx,
    );
    const shell = await runExecutor({ shell: 'echo {{ vars.quote }} {{ vars.subst }} {{ vars.tick }}' }, ctx);
    expect(argv.ok && shell.ok).toBe(true);
    expect(existsSync(touched)).toBe(false);
    expect(output().split('\n').slice(0, 4)).toEqual([
      values.quote,
      values.subst,
      values.tick,
      `${values.quote} ${values.subst} ${values.tick}`,
    ]);
  });
});
