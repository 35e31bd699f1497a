import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isProcessAlive } from '../../src/journal/process-identity.js';

const stateOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
};

describe.skipIf(process.platform !== 'linux')('whether a lock holder is alive', () => {
  const children: { kill(): boolean }[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill();
  });

  it('counts a killed process its parent has not reaped yet (a zombie) as gone', async () => {
    // The shell starts a child, then becomes `sleep`, which never reaps: once the test has seen
    // the exec and killed the child, the child stays a zombie while `sleep` lives.
    const parent = execa('sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { buffer: false });
    children.push(parent);
    const pid = await new Promise<number>((resolve) =>
      parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    await vi.waitFor(() => expect(readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim()).toBe('sleep'), {
      timeout: 10_000,
    });
    process.kill(pid, 'SIGKILL');
    await vi.waitFor(() => expect(stateOf(pid)).toBe('Z'), { timeout: 10_000 });

    expect(isProcessAlive(pid)).toBe(false);
    expect(isProcessAlive(parent.pid!)).toBe(true);
    parent.catch(() => undefined);
  });
});
