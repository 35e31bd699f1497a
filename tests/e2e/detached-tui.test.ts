import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/journal/process-identity.js';
import { readEngineRecord } from '../../src/protocol/engine-record.js';
import { endEngines, onlyRunId } from '../helpers/engine-watch.js';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { writeRunbook } from '../runbook/write-runbook.js';
import { journalEvents, waitForEvent } from './journal-watch.js';
import { TmuxSession } from './tmux-session.js';

// The TUI is a client of the run's engine process: a terminal that dies takes only the screen.

// The long step waits for a line on a named pipe the test writes when it chooses, and writes what
// it read where the test can see it.
function holdRunbook(dir: string): string {
  return `version: 1
name: e2e-detach
vars:
  fifo: { default: "${join(dir, 'hold')}" }
  out: { default: "${join(dir, 'released')}" }
phases:
  - id: work
    title: Work
    steps:
      - id: first
        title: First
        run: [echo, first]
      - id: long-step
        title: A long step
        run: [sh, -c, 'cat "$0" > "$1"', "{{ vars.fifo }}", "{{ vars.out }}"]
      - id: look
        title: Look at the result
        manual: Read the released file.
      - id: after
        title: After
        run: [echo, after]
`;
}

const sessions: TmuxSession[] = [];
const cleanups: Array<() => void> = [];

const engines: string[] = [];

afterEach(async () => {
  for (const t of sessions.splice(0)) await t.kill();
  for (const stateDir of engines.splice(0)) await endEngines(stateDir);
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function session(): TmuxSession {
  const t = new TmuxSession();
  sessions.push(t);
  return t;
}

async function waitUntil(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

describe('a run outlives its terminal', () => {
  it('goes on when the tmux session of its TUI is killed mid-step; attach in a new session shows it and carries on', async () => {
    const stateDir = tempStateDir('stepwise-e2e-');
    engines.push(stateDir);
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-hold-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync('mkfifo', [join(dir, 'hold')]);
    const runbook = writeRunbook(holdRunbook(dir));
    cleanups.push(() => rmSync(dirname(runbook), { recursive: true, force: true }));

    const first = session();
    const pane = first.start(['run', runbook, '--state-dir', stateDir]);
    await first.waitFor(pane, 'enter run');
    first.keys(pane, 'a');
    await first.waitFor(pane, 'Run the rest of phase 1 Work?');
    first.keys(pane, 'y');
    await waitForEvent(stateDir, (e) => e.type === 'step.started' && e.step === 'long-step');

    // What an SSH drop does to a tmux session: everything in it is gone.
    await first.kill();
    const engine = readEngineRecord(stateDir, onlyRunId(stateDir))!;
    expect(isProcessAlive(engine.pid)).toBe(true);

    execFileSync('sh', ['-c', 'echo released > "$0"', join(dir, 'hold')], { timeout: 20_000 });
    await waitForEvent(stateDir, (e) => e.type === 'step.succeeded' && e.step === 'long-step');
    expect(readFileSync(join(dir, 'released'), 'utf8')).toBe('released\n');
    // The phase run goes on to the manual step and waits there; nothing was paused.
    expect(journalEvents(stateDir).map((e) => e.type)).not.toContain('run.paused');
    expect(isProcessAlive(engine.pid)).toBe(true);

    const second = session();
    const attached = second.start(['attach', '--state-dir', stateDir]);
    const summary = await second.waitFor(attached, 'While nobody was attached');
    expect(summary).toContain('1.2 A long step');
    expect(summary).toMatch(/attached: \S+/);
    second.keys(attached, 'Enter');
    await second.waitFor(attached, 'next: s signs it off');
    second.keys(attached, 's');
    await second.waitFor(attached, 'Sign off 1.3 Look at the result');
    second.type(attached, 'read it');
    second.keys(attached, 'Enter');
    await waitForEvent(stateDir, (e) => e.type === 'step.signed' && e.step === 'look');
    // The next key follows what the screen shows, a frame after the journal.
    await second.waitFor(attached, /✔ 1\.3 Look at the result/);
    second.keys(attached, 'a');
    await second.waitFor(attached, 'Run the rest of phase 1 Work?');
    second.keys(attached, 'y');
    await waitForEvent(stateDir, (e) => e.type === 'run.finished');
    await second.waitFor(attached, 'the run is complete');
    second.keys(attached, 'q');
    expect(await second.waitForExit(attached)).toBe(0);
    await waitUntil('the engine has ended', () => !isProcessAlive(engine.pid));
  });

  it('an attached TUI and a watching one at once: the watcher sees every step and its keys change nothing', async () => {
    const stateDir = tempStateDir('stepwise-e2e-');
    engines.push(stateDir);
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-hold-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const runbook = writeRunbook(holdRunbook(dir));
    cleanups.push(() => rmSync(dirname(runbook), { recursive: true, force: true }));
    const started = await runCli(['run', runbook, '--detach'], { stateDir });
    expect(started.exitCode, started.all).toBe(0);

    const t = session();
    const operator = t.start(['attach', '--state-dir', stateDir]);
    await t.waitFor(operator, 'While nobody was attached');
    t.keys(operator, 'Enter');
    await t.waitFor(operator, 'enter run');
    const watcher = t.newWindow(['watch', '--state-dir', stateDir]);
    await t.waitFor(watcher, 'read-only');
    t.keys(watcher, 'Enter');
    await t.waitFor(watcher, 'Checklist');
    t.keys(watcher, 'Enter');
    await t.waitFor(watcher, 'watching is read-only: `stepwise attach');
    t.keys(watcher, 'x');
    await t.waitFor(watcher, 'watching is read-only');
    await t.waitFor(operator, /attached: .*watching/);

    t.keys(operator, 'Enter');
    await waitForEvent(stateDir, (e) => e.type === 'step.succeeded' && e.step === 'first');
    await t.waitFor(watcher, /✔ 1\.1 First/);
    expect(journalEvents(stateDir).filter((e) => e.type === 'step.skipped')).toEqual([]);

    // Ctrl+C ends only the watcher.
    t.keys(watcher, 'C-c');
    await t.waitForExit(watcher);
    await t.waitFor(operator, /attached: (?!.*watching)/);
    t.keys(operator, 'a');
    await t.waitFor(operator, 'Run the rest of phase 1 Work?');
  });
});
