import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FixtureEngine, operator, prepDone, ran, started, untilDropLegacy } from './fixture-engine.js';
import { keys, renderApp } from './render-app.js';

afterEach(cleanup);

describe('operator keys', () => {
  it('enter runs a check at once: it changes nothing', async () => {
    const engine = new FixtureEngine();
    const app = await renderApp(engine);
    await app.waitForText('1.1 Server is healthy');
    await app.press(keys.enter);
    expect(engine.callsOf('runStep')).toEqual([['health']]);
  });

  it('enter on a production SQL step shows what will run and runs it only after y', async () => {
    const engine = new FixtureEngine({ events: ran('health') });
    const app = await renderApp(engine);
    await app.waitFor((s) => /›\s+· 1\.2 Back up/.test(s), 'backup selected');
    await app.press(keys.enter);
    const dialog = await app.waitForText('Run 1.2 Back up the task tables?');
    expect(dialog).toContain('PRODUCTION');
    expect(dialog).toContain('CREATE SCHEMA backup');
    // Enter alone takes the focused choice, which is "no"; n cancels too.
    await app.press(keys.enter);
    await app.waitFor((s) => !s.includes('Run 1.2 Back up'), 'the dialog closed');
    await app.press(keys.enter);
    await app.waitForText('Run 1.2 Back up the task tables?');
    await app.press('n');
    await app.waitFor((s) => !s.includes('Run 1.2 Back up'), 'the dialog closed');
    expect(engine.callsOf('runStep')).toEqual([]);
    await app.press(keys.enter);
    await app.waitForText('Run 1.2 Back up the task tables?');
    await app.press('y');
    expect(engine.callsOf('runStep')).toEqual([['backup', { phrase: undefined, note: 'confirmed' }]]);
  });

  it('enter on a step that is not next says which one is', async () => {
    const engine = new FixtureEngine({ events: prepDone });
    const app = await renderApp(engine);
    await app.press('j', keys.enter);
    await app.waitForText('2.2 Copy tasks into the queue is not next; next is 2.1 Create the queue table');
    expect(engine.calls.filter((c) => c.intent !== 'rollbackPlan')).toEqual([]);
  });

  it('a on production asks once for the phase, listing the steps it runs, and that one yes covers them', async () => {
    const engine = new FixtureEngine({ events: prepDone });
    const app = await renderApp(engine);
    await app.waitForText('2.1 Create the queue table');
    await app.press('a');
    const dialog = await app.waitForText('Run the rest of phase 2 Dual-write?');
    expect(dialog).toMatch(/2\.1 Create the queue table \(sql\)\s+confirm/);
    expect(dialog).toMatch(/2\.2 Copy tasks into the queue \(backfill\)\s+confirm/);
    expect(dialog).toContain('2.3 Every task is in the queue (check)');
    expect(dialog).toContain('That is the end of the phase.');
    await app.press('y');
    expect(engine.callsOf('runPhase')).toEqual([['dual', { steps: ['create-queue', 'copy-tasks'], note: undefined }]]);
  });

  it('a where the next step needs its typed phrase says why the phase cannot run on, and runs nothing', async () => {
    const engine = new FixtureEngine({ events: untilDropLegacy });
    const app = await renderApp(engine, { columns: 100, rows: 40 });
    await app.waitForText('3.4 Drop the legacy table');
    await app.press('a');
    await app.waitForText('phase 3 Cutover cannot run on: drop-legacy needs its phrase typed: enter runs it');
    expect(engine.callsOf('runPhase')).toEqual([]);
  });

  it('off production, enter runs a writing step without asking: the engine asks for no confirmation there', async () => {
    const engine = new FixtureEngine({
      events: prepDone,
      connections: [{ name: 'app', target: 'postgres://app@db-staging:5432/app', production: false, embedded: false }],
    });
    const app = await renderApp(engine);
    await app.waitForText('2.1 Create the queue table');
    await app.press(keys.enter);
    await app.waitFor(() => engine.callsOf('runStep').length > 0, 'the step to run');
    expect(engine.callsOf('runStep')).toEqual([['create-queue']]);
  });

  it('s signs off the waiting gate with a note', async () => {
    const engine = new FixtureEngine({ events: [...ran('health'), ...ran('backup')] });
    const app = await renderApp(engine);
    await app.waitForText('gate: sign-off');
    await app.press('s');
    await app.waitForText('Sign off the gate of phase 1 Preparation');
    await app.type('backup checked');
    await app.press(keys.enter);
    expect(engine.callsOf('signGate')).toEqual([['prep', 'backup checked']]);
  });

  it('x skips the next step only with a reason', async () => {
    const engine = new FixtureEngine({ events: prepDone });
    const app = await renderApp(engine);
    await app.waitForText('2.1 Create the queue table');
    await app.press('x');
    await app.waitForText('Skip 2.1 Create the queue table');
    await app.press(keys.enter);
    await app.waitForText('reason is required');
    expect(engine.callsOf('skip')).toEqual([]);
    await app.type('created by the app deploy');
    await app.press(keys.enter);
    expect(engine.callsOf('skip')).toEqual([['create-queue', 'created by the app deploy']]);
  });

  it('r retries a failed step after showing its last error', async () => {
    const engine = new FixtureEngine({
      events: [
        ...ran('health'),
        started('backup'),
        {
          type: 'step.failed',
          step: 'backup',
          attempt: 1,
          duration_ms: 40,
          error: 'schema "backup" already exists',
        },
      ],
    });
    const app = await renderApp(engine);
    await app.waitForText('schema "backup" already exists');
    await app.press('r');
    const dialog = await app.waitForText('Retry 1.2 Back up the task tables?');
    expect(dialog).toContain('Attempt 2; the last one failed: schema "backup" already exists');
    await app.press('y');
    expect(engine.callsOf('runStep')).toEqual([['backup', { phrase: undefined, note: 'confirmed' }]]);
  });

  it('b shows the rollback plan first, then asks, then rolls back', async () => {
    const engine = new FixtureEngine({ events: [...prepDone, ...ran('create-queue')] });
    const app = await renderApp(engine, { columns: 100, rows: 30 });
    await app.waitForText('2.2 Copy tasks');
    await app.press('b');
    const plan = await app.waitForText('Rollback plan: 2 steps to undo, newest first');
    expect(plan).toMatch(/reverse\s+2\.1 Create the queue table/);
    expect(plan).toContain('DROP TABLE task_queue');
    expect(plan).toMatch(/reverse\s+1\.2 Back up the task tables/);
    expect(plan).toMatch(/pass over\s+1\.1 Server is healthy/);
    expect(plan.indexOf('2.1 Create')).toBeLessThan(plan.indexOf('1.2 Back up'));
    await app.press('y');
    await app.waitForText('Roll back 2 steps now?');
    expect(engine.callsOf('rollback')).toEqual([]);
    await app.press('y');
    expect(engine.callsOf('rollback')).toEqual([[{ to: undefined, note: undefined }]]);
  });

  it('l opens the whole log of the selected step at its end, scrolls back to line 1, and escape closes it', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'stepwise-log-view-')), 'create-queue.1.log');
    writeFileSync(log, Array.from({ length: 1000 }, (_, i) => `line ${i + 1}\n`).join(''));
    const engine = new FixtureEngine({
      events: [
        ...prepDone,
        { type: 'step.started', step: 'create-queue', attempt: 1, operator, log },
        { type: 'step.succeeded', step: 'create-queue', attempt: 1, duration_ms: 1200 },
      ],
    });
    // The screen's tail holds the last 200 lines; the log view reads the file.
    engine.setLive({
      output: {
        'create-queue': { lines: Array.from({ length: 200 }, (_, i) => `line ${i + 801}`), total: 1000 },
      },
    });
    const app = await renderApp(engine, { columns: 80, rows: 24 });
    await app.press('k', 'l');
    const end = await app.waitForText('Log 2.1 Create the queue table');
    expect(end).toContain('line 1000');
    expect(end).toContain('100% · 1,000 lines (following)');
    await app.press('k', 'k');
    const scrolled = await app.waitFor(
      (s) => !s.includes('line 1000') && s.includes('line 998'),
      'scrolled up two lines',
    );
    expect(scrolled).not.toContain('(following)');
    await app.press('g');
    const top = await app.waitFor((s) => /^line 1 *$/m.test(s), 'the first line of the log');
    expect(top).not.toContain('line 801');
    await app.press(keys.pageDown);
    await app.waitFor((s) => /^line 21 *$/m.test(s) && !/^line 1 *$/m.test(s), 'the next page');
    await app.press('G');
    await app.waitForText('(following)');
    await app.press(keys.escape);
    await app.waitForText('─ Checklist');
  });

  it('l on a step that has not run says there is no output yet', async () => {
    const app = await renderApp(new FixtureEngine({ events: prepDone }), { columns: 80, rows: 24 });
    await app.press('j', 'l');
    await app.waitForText('This step has not run: no output yet.');
  });

  it('? shows the keys and the symbols; escape returns', async () => {
    const app = await renderApp(new FixtureEngine());
    await app.waitForText('Checklist');
    await app.press('?');
    const help = await app.waitForText('─ Help');
    expect(help).toContain('run the selected step if it is next');
    expect(help).toContain('rollback failed');
    await app.press(keys.escape);
    await app.waitForText('─ Checklist');
  });

  it('q with nothing running pauses the run and leaves', async () => {
    const engine = new FixtureEngine({ events: prepDone });
    const app = await renderApp(engine);
    await app.waitForText('Checklist');
    await app.press('q');
    await app.waitFor(() => app.onExit.mock.calls.length > 0, 'the exit');
    expect(engine.callsOf('pause')).toEqual([['quit']]);
    expect(app.onExit).toHaveBeenCalledWith({ exit: 'paused' });
  });

  it('q on a complete run leaves without pausing it', async () => {
    const engine = new FixtureEngine({
      runbook: { version: 1, name: 'tiny', phases: [{ id: 'p', steps: [{ id: 'only', manual: 'Look.' }] }] },
      events: [
        started('only'),
        { type: 'step.signed', step: 'only', operator: 'alice', note: '', purpose: 'manual' },
      ],
    });
    const app = await renderApp(engine);
    await app.waitForText('the run is complete: q quits');
    await app.press('q');
    expect(app.onExit).toHaveBeenCalledWith({ exit: 'done' });
    expect(engine.callsOf('pause')).toEqual([]);
  });

  it('p, + and - steer the running backfill', async () => {
    const engine = new FixtureEngine({
      events: [...prepDone, ...ran('create-queue'), started('copy-tasks')],
    });
    engine.setLive({ active: { step: 'copy-tasks', rollback: false, since: Date.now() } });
    const app = await renderApp(engine);
    await app.waitForText('p pause');
    await app.press('p');
    expect(engine.callsOf('backfillControl')).toEqual([['copy-tasks', { paused: true }]]);
    engine.setLive({ backfill: { 'copy-tasks': { paused: true } } });
    await app.waitForText('p resume');
    await app.press('+');
    await app.press('-');
    expect(engine.callsOf('backfillControl').slice(1)).toEqual([
      ['copy-tasks', { batchSize: 10_000 }],
      ['copy-tasks', { batchSize: 2500 }],
    ]);
  });

  it('refuses mutating keys while a step runs, and says why', async () => {
    const engine = new FixtureEngine({ events: [...prepDone, started('create-queue')] });
    engine.setLive({ active: { step: 'create-queue', rollback: false, since: Date.now() } });
    const app = await renderApp(engine);
    await app.press('x');
    await app.waitForText('2.1 Create the queue table is running: wait for it, or q to pause the run');
    await app.press('b', 'a', keys.enter);
    expect(engine.calls.filter((c) => c.intent !== 'rollbackPlan')).toEqual([]);
  });
});

describe('keys read together', () => {
  it('moves once per key when several arrive in one read (key repeat, tmux, paste)', async () => {
    const app = await renderApp(new FixtureEngine({ events: prepDone }));
    await app.waitFor((s) => /›\s+· 2\.1 Create/.test(s), '2.1 selected');
    await app.press('jj');
    await app.waitFor((s) => /›\s+· 2\.3 Every task/.test(s), 'two rows down');
  });
});

describe('keys typed while the screen was busy', () => {
  it('q then y read together reach the quit dialog that q opened', async () => {
    const engine = new FixtureEngine({ events: [...prepDone, started('create-queue')] });
    engine.setLive({ active: { step: 'create-queue', rollback: false, since: Date.now() } });
    const app = await renderApp(engine);
    await app.waitForText('Checklist');
    await app.press('qy');
    await app.waitFor(() => app.onExit.mock.calls.length > 0, 'the exit');
    expect(engine.callsOf('pause')).toEqual([['quit']]);
  });
});

describe('gates', () => {
  it('enter on a gate that only has checks runs them without a dialog', async () => {
    const engine = new FixtureEngine({
      runbook: {
        version: 1,
        name: 'checked',
        connections: { db: { url: 'postgres://db@localhost/db' } },
        phases: [
          {
            id: 'one',
            steps: [{ id: 'look', check: { sql: 'SELECT 1 AS one', expect: { one: 1 } } }],
            gate: { checks: [{ sql: 'SELECT 0 AS missing', expect: { missing: 0 } }] },
          },
          { id: 'two', steps: [{ id: 'after', manual: 'Done.' }] },
        ],
      },
      events: ran('look'),
    });
    const app = await renderApp(engine);
    await app.waitFor((s) => /›\s+\? gate: check/.test(s), 'the gate selected');
    expect(app.screen()).toContain('next: enter runs the gate checks');
    await app.press(keys.enter);
    expect(engine.callsOf('signGate')).toEqual([['one', '']]);
  });
});
