import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type JournalLine, tempStateDir } from '../helpers/run-cli.js';
import { writeRunbook } from '../runbook/write-runbook.js';
import { journalEvents, waitForEvent } from './journal-watch.js';
import { isRunning, overflowingRows, TmuxSession } from './tmux-session.js';
import { endEngines } from '../helpers/engine-watch.js';

// The real TUI, built (dist/cli/main.js), in a real terminal (tmux), driven by keys.

const itemsPhase = `  - id: prepare
    title: Prepare
    steps:
      - id: create-table
        title: Create the items table
        sql: { conn: app, text: "CREATE TABLE items (id int PRIMARY KEY)" }
        rollback:
          sql: { conn: app, text: "DROP TABLE items" }
      - id: fill-table
        title: Fill the items table
        sql: { conn: app, text: "INSERT INTO items SELECT generate_series(1, 10)" }
        rollback:
          sql: { conn: app, text: "DELETE FROM items" }
`;

const gateRunbook = `version: 1
name: e2e-gate
connections:
  app: { embedded: e2e }
phases:
${itemsPhase}      - id: count-items
        title: Ten items are there
        check:
          conn: app
          sql: SELECT count(*)::int AS n FROM items
          expect: { n: 10 }
    gate: { signoff: true }
  - id: work
    title: Work
    steps:
      - id: report
        title: Report
        run: [echo, done]
`;

const quitRunbook = `version: 1
name: e2e-quit
connections:
  app: { embedded: e2e }
phases:
${itemsPhase}      - id: long-step
        title: A long step
        run: [sleep, "30"]
`;

// The long step sleeps the first time and succeeds at once when retried; it writes its pid so
// the test can clean up the sleep a kill -9 of stepwise leaves behind.
function crashRunbook(dir: string): string {
  return `version: 1
name: e2e-crash
vars:
  marker: { default: "${join(dir, 'second-time')}" }
  pidfile: { default: "${join(dir, 'step.pid')}" }
phases:
  - id: work
    title: Work
    steps:
      - id: first
        title: First
        run: [echo, first]
      - id: long-step
        title: A long step
        run:
          shell: >-
            test -e {{ vars.marker }} && exit 0; touch {{ vars.marker }};
            echo $$ > {{ vars.pidfile }}; exec sleep 30
      - id: after
        title: After
        run: [echo, after]
`;
}

const backfillRunbook = `version: 1
name: e2e-backfill
connections:
  app: { embedded: e2e }
phases:
  - id: copy
    title: Copy
    steps:
      - id: make-source
        title: Create the source and target tables
        sql:
          conn: app
          text: |
            CREATE TABLE source (id int PRIMARY KEY, v text);
            INSERT INTO source SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
            CREATE TABLE target (id int PRIMARY KEY, v text);
        rollback:
          sql: { conn: app, text: "DROP TABLE target; DROP TABLE source" }
      - id: copy-rows
        title: Copy the rows
        backfill:
          conn: app
          from: source
          key: id
          batch: 500
          sql: INSERT INTO target SELECT id, v FROM source WHERE id > :lo AND id <= :hi ON CONFLICT (id) DO NOTHING
        idempotent: true
        rollback:
          sql: { conn: app, text: "DELETE FROM target" }
`;

// 20 seconds at most of output, 2,000 numbered lines a second; the second run of the step is quick.
const floodRunbook = `version: 1
name: e2e-flood
phases:
  - id: output
    title: Output
    steps:
      - id: flood
        title: Print a flood of lines
        run:
          shell: >-
            i=0; while [ $i -lt 200 ]; do seq -f 'row %06.0f' $((i*200+1)) $((i*200+200)); sleep 0.1;
            i=$((i+1)); done
`;

// The first screen waits for the engine process to open the run (PGlite starts in it): on a
// loaded machine that takes longer than a key's answer.
const engineStartMs = 60_000;

function expectFits(tmux: TmuxSession, target: string): void {
  expect(overflowingRows(tmux.screen(target, { joinWrapped: true }), tmux.size)).toEqual([]);
}

let tmux: TmuxSession | undefined;
const cleanups: Array<() => void> = [];

// State dirs whose engines may still wait when the terminal is gone.
const engines: string[] = [];

afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
  for (const stateDir of engines.splice(0)) await endEngines(stateDir);
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function session(options: ConstructorParameters<typeof TmuxSession>[0] = {}): TmuxSession {
  tmux = new TmuxSession(options);
  return tmux;
}

function scratchRunbook(yaml: string): string {
  const path = writeRunbook(yaml);
  cleanups.push(() => rmSync(dirname(path), { recursive: true, force: true }));
  return path;
}

function scratchDir(): string {
  const dir = tempStateDir('stepwise-e2e-');
  engines.push(dir);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the TUI in a real terminal', () => {
  it('runs a phase with a, then the operator signs its gate off with a note', async () => {
    const stateDir = scratchDir();
    const runbook = scratchRunbook(gateRunbook);
    const t = session();
    const pane = t.start(['run', runbook, '--state-dir', stateDir]);

    await t.waitFor(pane, 'enter run', engineStartMs);
    const first = t.screen(pane);
    expect(first).toContain('1.1 Create the items table');
    expect(first).toContain('gate: sign-off');
    expectFits(t, pane);

    t.keys(pane, 'a');
    await t.waitFor(pane, 'Run the rest of phase 1 Prepare?');
    t.keys(pane, 'y');
    await t.waitFor(pane, 'next: s signs off the gate');
    expect(journalEvents(stateDir).filter((e) => e.type === 'step.succeeded').map((e) => e.step)).toEqual([
      'create-table',
      'fill-table',
      'count-items',
    ]);
    expectFits(t, pane);

    t.keys(pane, 's');
    await t.waitFor(pane, 'Sign off the gate of phase 1 Prepare');
    t.type(pane, 'counts checked');
    await t.waitFor(pane, 'counts checked');
    t.keys(pane, 'Enter');
    const signed = await waitForEvent(stateDir, (e) => e.type === 'gate.signed');
    expect(signed).toMatchObject({ phase: 'prepare', operator: 'tester', note: 'counts checked' });
    await t.waitFor(pane, /1 Prepare +✔ 3\/3/);
    await t.waitFor(pane, '2.1 Report');

    // Quitting between steps pauses the run too: it is not finished.
    t.keys(pane, 'q');
    expect(await t.waitForExit(pane)).toBe(3);
    expect(journalEvents(stateDir).at(-1)).toMatchObject({ type: 'run.paused', reason: 'quit' });
  });

  it('quits while a step runs (paused), resumes with a summary, and rolls back newest first', async () => {
    const stateDir = scratchDir();
    const runbook = scratchRunbook(quitRunbook);
    const t = session();
    const first = t.start(['run', runbook, '--state-dir', stateDir]);

    await t.waitFor(first, 'enter run', engineStartMs);
    t.keys(first, 'a');
    await t.waitFor(first, 'Run the rest of phase 1 Prepare?');
    t.keys(first, 'y');
    await waitForEvent(stateDir, (e) => e.type === 'step.started' && e.step === 'long-step');
    await t.waitFor(first, /running · attempt 1/);

    t.keys(first, 'q');
    await t.waitFor(first, 'Quit while a step runs?');
    t.keys(first, 'y');
    const paused = await waitForEvent(stateDir, (e) => e.type === 'run.paused');
    expect(paused).toMatchObject({ reason: 'quit', step: 'long-step', operator: 'tester' });
    expect(await t.waitForExit(first)).toBe(3);

    const second = t.newWindow(['resume', '--state-dir', stateDir]);
    const summary = await t.waitFor(second, 'what ran:', engineStartMs);
    expect(summary).toContain('Resuming');
    expect(summary).toMatch(/✔ 1\.1 Create the items table +done tester/);
    expect(summary).toMatch(/✔ 1\.2 Fill the items table +done tester/);
    expect(summary).toMatch(
      /! stopped by the pause: 1\.3 A long step \(attempt 1\): tester paused the run at \d\d:\d\d:\d\d \(quit\)/,
    );
    expect(summary).toContain('next: 1.3 A long step (stopped by the pause: enter runs it again)');
    expectFits(t, second);

    t.keys(second, 'Enter');
    await t.waitFor(second, 'r retry');
    t.keys(second, 'b');
    const plan = await t.waitFor(second, 'Rollback plan: 2 steps to undo, newest first');
    const fillAt = plan.indexOf('reverse    1.2 Fill the items table');
    const createAt = plan.indexOf('reverse    1.1 Create the items table');
    expect(fillAt).toBeGreaterThan(-1);
    expect(createAt).toBeGreaterThan(fillAt);
    expect(plan).toContain('DELETE FROM items');
    expect(plan).toContain('DROP TABLE items');
    expectFits(t, second);

    t.keys(second, 'y');
    await t.waitFor(second, 'Roll back 2 steps now?');
    t.keys(second, 'y');
    await waitForEvent(stateDir, (e) => e.type === 'run.finished');
    const events = journalEvents(stateDir);
    expect(events.filter((e) => e.type === 'step.rolled_back').map((e) => e.step)).toEqual([
      'fill-table',
      'create-table',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', outcome: 'rolled_back' });
    await t.waitFor(second, 'the run is rolled back');
    t.keys(second, 'q');
    await t.waitForExit(second);
  });

  it('after kill -9 of the engine during a step, the TUI says so; resume asks about the interrupted step and retry finishes', async () => {
    const stateDir = scratchDir();
    const runbook = scratchRunbook(crashRunbook(stateDir));
    const stepPidFile = join(stateDir, 'step.pid');
    cleanups.unshift(() => {
      // kill -9 leaves the step's own process group running: end it.
      const pid = existsSync(stepPidFile) ? Number(readFileSync(stepPidFile, 'utf8')) : 0;
      if (pid && isRunning(pid)) process.kill(-pid, 'SIGKILL');
    });
    const t = session();
    const first = t.start(['run', runbook, '--state-dir', stateDir]);

    await t.waitFor(first, 'enter run', engineStartMs);
    t.keys(first, 'a');
    await t.waitFor(first, 'Run the rest of phase 1 Work?');
    t.keys(first, 'y');
    await waitForEvent(stateDir, (e) => e.type === 'step.started' && e.step === 'long-step');
    for (let i = 0; i < 100 && !existsSync(stepPidFile); i++) await sleep(50);
    await t.waitFor(first, /running · attempt 1/);

    // The run's engine is its own process: the one run.started names.
    const { pid } = journalEvents(stateDir)[0] as JournalLine & { pid: number };
    expect(t.exitStatus(first)).toBeUndefined();
    process.kill(pid, 'SIGKILL');
    await t.waitFor(first, 'the engine has ended');
    t.keys(first, 'q');
    expect(await t.waitForExit(first)).toBe(3);
    const lastState = journalEvents(stateDir)
      .filter((e) => e.type !== 'step.progress' && e.type !== 'step.process_started')
      .at(-1);
    expect(lastState).toMatchObject({ type: 'step.started', step: 'long-step' });

    const second = t.newWindow(['resume', '--state-dir', stateDir]);
    const summary = await t.waitFor(second, 'what ran:', engineStartMs);
    expect(summary).toContain('interrupted: 1.2 A long step (attempt 1');
    expect(summary).toContain('decide: retry, mark done or roll back');

    t.keys(second, 'Enter');
    const dialog = await t.waitFor(second, 'Interrupted: 1.2 A long step');
    expect(dialog).toContain('It may have partly run');
    expect(dialog).toMatch(/r +retry it/);
    expect(dialog).toMatch(/d +mark it done/);
    expect(dialog).toMatch(/b +roll the run back/);
    expectFits(t, second);

    // Off production the engine asks nothing more once the operator chose to retry.
    t.keys(second, 'r');
    await waitForEvent(stateDir, (e) => e.type === 'step.succeeded' && e.step === 'long-step');
    // The operator presses the next key on what the screen shows, a frame after the journal.
    await t.waitFor(second, /✔ 1\.2 A long step/);
    t.keys(second, 'a');
    await t.waitFor(second, 'Run the rest of phase 1 Work?');
    t.keys(second, 'y');
    const finished = await waitForEvent(stateDir, (e) => e.type === 'run.finished');
    expect(finished).toMatchObject({ outcome: 'succeeded' });
    await t.waitFor(second, 'the run is complete');
    t.keys(second, 'q');
    expect(await t.waitForExit(second)).toBe(0);
  });

  it('keeps answering keys while a backfill runs on the embedded database: p pauses it mid-copy', async () => {
    const stateDir = scratchDir();
    const runbook = scratchRunbook(backfillRunbook);
    const t = session();
    const pane = t.start(['run', runbook, '--state-dir', stateDir]);

    await t.waitFor(pane, 'enter run', engineStartMs);
    t.keys(pane, 'a');
    await t.waitFor(pane, 'Run the rest of phase 1 Copy?');
    t.keys(pane, 'y');
    await waitForEvent(stateDir, (e) => e.type === 'step.started' && e.step === 'copy-rows');
    await t.waitFor(pane, 'p pause');
    t.keys(pane, 'p');
    const paused = await t.waitFor(pane, /paused after batch \d+/);
    expect(paused).toContain('p resume');
    const copied = journalEvents(stateDir).filter((e) => e.type === 'batch.committed');
    expect(copied.reduce((sum, e) => sum + Number(e.rows), 0)).toBeLessThan(100_000);
    expect(journalEvents(stateDir).some((e) => e.type === 'step.succeeded' && e.step === 'copy-rows')).toBe(false);
    expectFits(t, pane);

    t.keys(pane, 'p');
    await waitForEvent(stateDir, (e) => e.type === 'run.finished' && e.outcome === 'succeeded');
    await t.waitFor(pane, /1 Copy +✔ 2\/2/);
  });

  it('pages the whole log of a step still printing thousands of lines, back to its first line', async () => {
    const stateDir = scratchDir();
    const runbook = scratchRunbook(floodRunbook);
    const t = session({ width: 80, height: 24 });
    const pane = t.start(['run', runbook, '--state-dir', stateDir]);

    await t.waitFor(pane, 'enter run', engineStartMs);
    t.keys(pane, 'Enter');
    await waitForEvent(stateDir, (e) => e.type === 'step.started' && e.step === 'flood');
    await t.waitFor(pane, /output · [\d,]+ lines/);
    t.keys(pane, 'l');
    const following = await t.waitFor(pane, '(following)');
    expect(following).toMatch(/row \d{6}/);
    t.keys(pane, 'g');
    const top = await t.waitFor(pane, /^row 000001 *$/m);
    expect(top).toMatch(/^row 000002 *$/m);
    expect(top).not.toContain('(following)');
    t.keys(pane, 'PageDown');
    await t.waitFor(pane, /^row 000024 *$/m);
    t.keys(pane, 'G');
    await t.waitFor(pane, '(following)');
    expectFits(t, pane);
    t.keys(pane, 'Escape');
    await t.waitFor(pane, '─ Checklist');
    // Quitting mid-flood cancels the step: nothing of it is left running.
    t.keys(pane, 'q');
    await t.waitFor(pane, 'Quit while a step runs?');
    t.keys(pane, 'y');
    expect(await t.waitForExit(pane)).toBe(3);
    expect(journalEvents(stateDir).at(-1)).toMatchObject({ type: 'run.paused', step: 'flood' });
  });

  it('fits an 80x24 terminal and redraws to fit when the window grows to 120x36', async () => {
    const stateDir = scratchDir();
    const t = session({ width: 80, height: 24 });
    // The demo seeds the embedded database first: `run` refuses an empty one. How many rows it
    // seeds is no matter for the screen.
    const pane = t.start(['demo', '--var', 'demo_rows=2000', '--state-dir', stateDir]);

    const small = await t.waitFor(pane, 'enter run', 60_000);
    expect(small).toContain('Checklist');
    expect(small).toMatch(/1 Preparation +· 0\/7/);
    expect(small).toMatch(/4 Cleanup +· 0\/4/);
    expectFits(t, pane);

    t.resize({ width: 120, height: 36 });
    const large = await t.waitFor(pane, '1.3 Count the legacy tasks by status');
    expect(large).toContain('1.1 Server is a writable primary on PostgreSQL 15 or later ── check');
    expectFits(t, pane);
  });
});
