import { Console } from 'node:console';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/errors/stepwise-error.js';
import { promptVars, runTui } from '../../src/tui/run-tui.js';
import { fakeTerminal } from './fake-terminal.js';
import { FixtureEngine, prepDone } from './fixture-engine.js';
import { sleep } from './render-app.js';

// vitest replaces the global console with one that has no Console class, which Ink's console
// patching constructs; a real process has it.
Object.assign(console, { Console });

const enterAlternate = '\u001B[?1049h';
const leaveAlternate = '\u001B[?1049l';

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('runTui', () => {
  it('draws in the alternate screen and restores the terminal when the operator quits', async () => {
    const { stdout, stdin, io } = fakeTerminal();
    const engine = new FixtureEngine({ events: prepDone });
    const done = runTui(engine, { mode: 'run', ...io });
    await until(() => stdin.listenerCount('readable') > 0, 'the key subscription');
    expect(stdout.writes[0]).toBe(enterAlternate);
    expect(stdin.rawMode).toBe(true);
    stdin.type('q');
    await expect(done).resolves.toEqual({ exit: 'paused' });
    expect(engine.callsOf('pause')).toEqual([['quit']]);
    expect(stdout.output.lastIndexOf(leaveAlternate)).toBeGreaterThan(stdout.output.lastIndexOf('Checklist'));
    expect(stdin.rawMode).toBe(false);
  });

  it('closes and restores the terminal when the CLI aborts it (SIGHUP, SIGTERM)', async () => {
    const { stdout, stdin, io } = fakeTerminal();
    const engine = new FixtureEngine({ events: prepDone });
    const controller = new AbortController();
    const done = runTui(engine, { mode: 'run', signal: controller.signal, ...io });
    await until(() => stdin.listenerCount('readable') > 0, 'the key subscription');
    controller.abort();
    await expect(done).resolves.toEqual({ exit: 'paused' });
    expect(stdout.output.endsWith(leaveAlternate)).toBe(true);
    expect(stdout.output.split(leaveAlternate)).toHaveLength(2);
    // Pausing is the CLI's part on a signal: the TUI only gets out of the way.
    expect(engine.callsOf('pause')).toEqual([]);
  });

  it('with STEPWISE_FRAME_LOG set, notes each frame with the last event it shows (for the benchmarks)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-frames-'));
    const frames = join(dir, 'frames');
    process.env.STEPWISE_FRAME_LOG = frames;
    try {
      const { stdin, io } = fakeTerminal();
      const engine = new FixtureEngine({ events: prepDone });
      const done = runTui(engine, { mode: 'run', ...io });
      await until(() => existsSync(frames), 'the first frame');
      stdin.type('q');
      await done;
      const [seq, at] = readFileSync(frames, 'utf8').trim().split('\n')[0].split(' ').map(Number);
      expect(seq).toBe(engine.store.getState().run.seq);
      expect(at).toBeLessThanOrEqual(Date.now());
    } finally {
      delete process.env.STEPWISE_FRAME_LOG;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('promptVars', () => {
  const missing = [
    { name: 'ticket', prompt: 'Change ticket id', secret: false },
    { name: 'api_token', secret: true },
  ];

  it('asks each var in turn and never shows a secret', async () => {
    const { stdout, stdin, io } = fakeTerminal();
    const answers = promptVars(missing, io);
    await until(() => stdin.listenerCount('readable') > 0, 'the key subscription');
    stdin.type('CHG-42');
    stdin.type('\r');
    stdin.type('s3cr');
    stdin.type('et!');
    stdin.type('\r');
    await expect(answers).resolves.toEqual({ ticket: 'CHG-42', api_token: 's3cret!' });
    expect(stdout.text).toContain('Change ticket id (ticket)');
    expect(stdout.text).toContain('api_token, secret: not shown');
    expect(stdout.text).not.toContain('s3cr');
  });

  it('refuses an empty answer', async () => {
    const { stdin, io } = fakeTerminal();
    const answers = promptVars(missing.slice(0, 1), io);
    await until(() => stdin.listenerCount('readable') > 0, 'the key subscription');
    stdin.type('\r');
    stdin.type('CHG-7\r');
    await expect(answers).resolves.toEqual({ ticket: 'CHG-7' });
  });

  it('escape cancels: the run does not start', async () => {
    const { stdin, io } = fakeTerminal();
    const answers = promptVars(missing, io);
    await until(() => stdin.listenerCount('readable') > 0, 'the key subscription');
    stdin.type('\u001B');
    const error = await answers.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepwiseError);
    expect((error as StepwiseError).kind).toBe('interrupted');
  });
});
