import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  acquireRunLock,
  inspectRunLock,
  type LockHolder,
  type RunLock,
  RunLockedError,
  runLockPaths,
} from '../../src/journal/run-lock.js';
import { tempStateDir } from '../helpers/run-cli.js';

const holderScript = resolve(import.meta.dirname, 'hold-run-lock.ts');

function holder(operator: string, runId = 'queue-migration-20261123T020000Z'): LockHolder {
  return { runId, operator, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
}

async function refusal(promise: Promise<unknown>): Promise<RunLockedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunLockedError);
  return error as RunLockedError;
}

const children: ResultPromise[] = [];
const locks: RunLock[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const lock of locks.splice(0)) await lock.release();
});

// A separate process holding (or trying to take) the lock; resolves with its first line.
function startHolder(
  stateDir: string,
  operator: string,
): { child: ResultPromise; firstLine: Promise<string> } {
  const child = execa('node', ['--import', 'tsx', holderScript, stateDir, 'queue-migration', operator], {
    reject: false,
    cwd: resolve(import.meta.dirname, '..', '..'),
  });
  children.push(child);
  const firstLine = new Promise<string>((done, fail) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) done(text.split('\n')[0]);
    });
    void child.then((r) => fail(new Error(`holder exited before saying anything: ${r.stderr}`)));
  });
  return { child, firstLine };
}

async function take(stateDir: string, operator: string): Promise<RunLock> {
  const lock = await acquireRunLock(stateDir, 'queue-migration', holder(operator));
  locks.push(lock);
  return lock;
}

describe('one live run per runbook and state dir', () => {
  it('refuses a second run with exit code 4, naming who holds the lock and how to clear it', async () => {
    const stateDir = tempStateDir('stepwise-lock-');
    await take(stateDir, `alice@${hostname()}`);
    const error = await refusal(acquireRunLock(stateDir, 'queue-migration', holder('bob@bastion')));
    expect(error.kind).toBe('locked');
    expect(error.message).toMatch(
      new RegExp(
        `^queue-migration is locked by alice@${hostname()} \\(pid ${process.pid}, run queue-migration-20261123T020000Z, ` +
          'since \\d\\d:\\d\\d:\\d\\dZ\\); wait for it to finish, or if that process is gone on its host, remove .+queue-migration\\.lock$',
      ),
    );
    expect(error.holder?.operator).toBe(`alice@${hostname()}`);
  });

  it('names an operator without a host as operator@host', async () => {
    const stateDir = tempStateDir('stepwise-lock-');
    await take(stateDir, 'alice');
    const error = await refusal(acquireRunLock(stateDir, 'queue-migration', holder('bob')));
    expect(error.message).toContain(`locked by alice@${hostname()} (pid`);
  });

  it('frees the runbook on release (twice is fine), and locks other runbooks separately', async () => {
    const stateDir = tempStateDir('stepwise-lock-');
    const first = await take(stateDir, 'alice');
    const other = await acquireRunLock(
      stateDir,
      'v3-consolidation',
      holder('bob', 'v3-consolidation-20261123T020000Z'),
    );
    locks.push(other);
    await first.release();
    await first.release();
    expect(inspectRunLock(stateDir, 'queue-migration').state).toBe('free');
    expect(existsSync(runLockPaths(stateDir, 'queue-migration').holder)).toBe(false);
    const second = await take(stateDir, 'bob');
    expect(inspectRunLock(stateDir, 'queue-migration')).toMatchObject({
      state: 'held',
      holder: { operator: 'bob' },
    });
    await second.release();
  });

  it('refuses while another process holds the lock, and is free once that process exits', async () => {
    const stateDir = tempStateDir('stepwise-lock-');
    const { child, firstLine } = startHolder(stateDir, 'carol@bastion');
    expect(await firstLine).toBe('locked');
    const error = await refusal(acquireRunLock(stateDir, 'queue-migration', holder('dave')));
    expect(error.message).toContain(`locked by carol@bastion on ${hostname()} (pid ${child.pid},`);

    child.kill('SIGTERM');
    await child;
    expect(inspectRunLock(stateDir, 'queue-migration').state).toBe('free');
    await take(stateDir, 'dave');
  });

  it('takes over at once the lock of a process killed with -9 on this host', async () => {
    const stateDir = tempStateDir('stepwise-lock-');
    const { child, firstLine } = startHolder(stateDir, 'carol@bastion');
    expect(await firstLine).toBe('locked');
    child.kill('SIGKILL');
    await child;
    expect(existsSync(runLockPaths(stateDir, 'queue-migration').dir)).toBe(true);
    expect(inspectRunLock(stateDir, 'queue-migration')).toMatchObject({
      state: 'stale',
      holder: { pid: child.pid },
    });

    await take(stateDir, 'dave');
    const record = JSON.parse(readFileSync(runLockPaths(stateDir, 'queue-migration').holder, 'utf8'));
    expect(record).toMatchObject({ operator: 'dave', pid: process.pid });
  });

  it('lets exactly one of two processes racing for a dead lock win', async () => {
    const stateDir = tempStateDir('stepwise-lock-');
    const dead = startHolder(stateDir, 'carol@bastion');
    expect(await dead.firstLine).toBe('locked');
    dead.child.kill('SIGKILL');
    await dead.child;

    const racers = [startHolder(stateDir, 'erin'), startHolder(stateDir, 'frank')];
    const said = await Promise.all(racers.map((r) => r.firstLine));
    expect(said.filter((l) => l === 'locked')).toHaveLength(1);
    const winner = said[0] === 'locked' ? 'erin' : 'frank';
    expect(said.find((l) => l !== 'locked')).toMatch(
      new RegExp(`^refused: queue-migration is locked by ${winner}@`),
    );
  });

  it('trusts a holder on another host until its lock has gone unrefreshed for 30 s', async () => {
    const stateDir = tempStateDir('stepwise-lock-');
    const paths = runLockPaths(stateDir, 'queue-migration');
    mkdirSync(paths.dir, { recursive: true });
    writeFileSync(paths.holder, JSON.stringify({ ...holder('gina'), host: 'other-bastion', pid: 99999999 }));
    const error = await refusal(acquireRunLock(stateDir, 'queue-migration', holder('hank')));
    expect(error.message).toContain('locked by gina@other-bastion (pid 99999999,');

    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(paths.dir, minuteAgo, minuteAgo);
    expect(inspectRunLock(stateDir, 'queue-migration').state).toBe('stale');
    await take(stateDir, 'hank');
  });

  it('warns, without crashing, when its lock is removed from under it', async () => {
    const stateDir = tempStateDir('stepwise-lock-');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const lock = await acquireRunLock(stateDir, 'queue-migration', holder('ivy'), { refreshMs: 1000 });
      locks.push(lock);
      rmSync(runLockPaths(stateDir, 'queue-migration').dir, { recursive: true });
      await sleep(1500);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(
        /warning: the run lock .+queue-migration\.lock was changed by someone else/,
      );
      await lock.release();
      expect(existsSync(runLockPaths(stateDir, 'queue-migration').holder)).toBe(false);
    } finally {
      stderr.mockRestore();
    }
  });
});
