import { cleanup } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { FixtureEngine, operator, prepDone, ran, started, untilDropLegacy, user } from './fixture-engine.js';
import { keys, renderApp } from './render-app.js';

afterEach(cleanup);

const interruptedCreateQueue = [
  ...prepDone,
  started('create-queue'),
  { type: 'run.resumed' as const, operator: 'bob@bastion', host: 'bastion', pid: 7, accepted_drift: [] },
];

describe('dialogs', () => {
  it('a typed confirmation runs nothing until the phrase matches exactly', async () => {
    const engine = new FixtureEngine({ events: untilDropLegacy });
    const app = await renderApp(engine);
    await app.waitFor((s) => /›\s+· 3\.4 Drop the legacy table/.test(s), 'the drop selected');
    await app.press(keys.enter);
    const dialog = await app.waitForText('Type drop tasks exactly to go on:');
    expect(dialog).toContain('DROP TABLE tasks');
    await app.type('drop task');
    await app.press(keys.enter);
    await app.waitForText('that does not match; nothing ran');
    await app.type('Drop tasks');
    await app.press(keys.enter);
    await app.waitForText('that does not match; nothing ran');
    expect(engine.callsOf('runStep')).toEqual([]);
    await app.type('drop tasks');
    await app.waitFor((s) => !s.includes('does not match'), 'typing clears the mismatch');
    await app.press(keys.enter);
    expect(engine.callsOf('runStep')).toEqual([
      ['drop-legacy', { phrase: 'drop tasks', note: 'typed the confirmation phrase' }],
    ]);
  });

  it('escape cancels a typed confirmation', async () => {
    const engine = new FixtureEngine({ events: untilDropLegacy });
    const app = await renderApp(engine);
    await app.waitForText('3.4 Drop the legacy table');
    await app.press(keys.enter);
    await app.waitForText('Type drop tasks exactly');
    await app.type('drop tasks');
    await app.press(keys.escape);
    await app.waitForText('─ Checklist');
    expect(engine.callsOf('runStep')).toEqual([]);
  });

  it('a manual step is signed off with a note after reading its instruction', async () => {
    const engine = new FixtureEngine({
      events: [...prepDone, ...ran('create-queue'), ...ran('copy-tasks'), ...ran('counts-match')],
    });
    const app = await renderApp(engine);
    await app.waitFor((s) => /›\s+· 3\.1 Stop the legacy scheduler/.test(s), 'the manual step selected');
    await app.press(keys.enter);
    const dialog = await app.waitForText('Sign off 3.1 Stop the legacy scheduler');
    expect(dialog).toMatch(/instruction:\s+Scale the scheduler to 0 replicas\./);
    await app.type('scaled to 0, intake flat');
    await app.waitForText('scaled to 0, intake flat');
    await app.press(keys.backspace, keys.backspace, keys.backspace, keys.backspace);
    await app.type('zero');
    await app.press(keys.enter);
    expect(engine.callsOf('signStep')).toEqual([['stop-intake', 'scaled to 0, intake zero']]);
  });

  it('a sign-off may have no note', async () => {
    const engine = new FixtureEngine({
      events: [...prepDone, ...ran('create-queue'), ...ran('copy-tasks'), ...ran('counts-match')],
    });
    const app = await renderApp(engine);
    await app.waitForText('3.1 Stop the legacy scheduler');
    await app.press('s');
    await app.waitForText('note (optional):');
    await app.press(keys.enter);
    expect(engine.callsOf('signStep')).toEqual([['stop-intake', '']]);
  });

  it('an interrupted step offers retry, mark done with a note, or roll back', async () => {
    const engine = new FixtureEngine({ events: interruptedCreateQueue });
    const app = await renderApp(engine, { mode: 'resume' });
    await app.waitForText('─ Resuming');
    await app.press(keys.enter);
    const dialog = await app.waitForText('Interrupted: 2.1 Create the queue table');
    expect(dialog).toContain('It is not marked idempotent.');
    expect(dialog).toContain('log: /state/logs/create-queue.1.log');
    await app.press('d');
    await app.waitForText('Mark 2.1 Create the queue table done');
    await app.press(keys.enter);
    await app.waitForText('note is required');
    await app.type('table exists, checked with \\d');
    await app.press(keys.enter);
    expect(engine.callsOf('markDone')).toEqual([['create-queue', 'table exists, checked with \\d']]);
  });

  it('retrying an interrupted step is confirmed with the risk spelled out', async () => {
    const engine = new FixtureEngine({ events: interruptedCreateQueue });
    const app = await renderApp(engine, { mode: 'resume' });
    await app.waitForText('─ Resuming');
    await app.press(keys.enter);
    await app.waitForText('Interrupted: ');
    await app.press('r');
    const confirm = await app.waitForText('Retry 2.1 Create the queue table?');
    expect(confirm).toContain('may have partly run; it is not marked idempotent');
    await app.press('y');
    expect(engine.callsOf('runStep')).toEqual([['create-queue', { phrase: undefined, note: 'confirmed' }]]);
  });

  it('retrying an interrupted backfill says it continues after its last committed batch, as the engine does', async () => {
    const engine = new FixtureEngine({
      events: [
        ...prepDone,
        ...ran('create-queue'),
        started('copy-tasks'),
        {
          type: 'batch.committed' as const,
          step: 'copy-tasks',
          batch: 3,
          lo: 0,
          hi: 15000,
          rows: 15000,
          skipped: 0,
          size: 5000,
          duration_ms: 96,
        },
        { type: 'run.resumed' as const, operator: 'bob@bastion', host: 'bastion', pid: 7, accepted_drift: [] },
      ],
    });
    const app = await renderApp(engine, { mode: 'resume', columns: 120 });
    await app.press(keys.enter);
    await app.waitForText('Interrupted: ');
    await app.press('r');
    const confirm = await app.waitForText(/Retry 2\.\d Copy/);
    expect(confirm).toContain('a backfill continues after its last committed batch (after key 15000, 15,000 rows done)');
    expect(confirm).not.toContain('may have partly run');
  });

  it("rolling back from an interrupted step shows the run's rollback plan with the step that partly ran", async () => {
    const engine = new FixtureEngine({ events: interruptedCreateQueue });
    const app = await renderApp(engine, { mode: 'resume' });
    await app.press(keys.enter);
    await app.waitForText('Interrupted: ');
    await app.press('b');
    const plan = await app.waitForText('Rollback plan');
    expect(plan).toMatch(/partly ran\s+2\.1 Create the queue table/);
    expect(plan).toMatch(/reverse\s+1\.2 Back up the task tables/);
  });

  it('an interrupted check is called safe to run again: it only reads', async () => {
    const engine = new FixtureEngine({
      events: [started('health'), { type: 'run.resumed', operator: 'bob', host: 'h', pid: 2, accepted_drift: [] }],
    });
    const app = await renderApp(engine, { mode: 'resume' });
    await app.press(keys.enter);
    expect(await app.waitForText('Interrupted: 1.1')).toContain('It only reads (check): running it again is safe.');
    // The engine asks no confirmation for a check: r runs it again.
    await app.press('r');
    await app.waitFor(() => engine.callsOf('runStep').length > 0, 'the check to run again');
    expect(engine.callsOf('runStep')).toEqual([['health']]);
  });

  it('escape leaves an interrupted step for later; enter on it asks again', async () => {
    const engine = new FixtureEngine({ events: interruptedCreateQueue });
    const app = await renderApp(engine, { mode: 'resume' });
    await app.press(keys.enter);
    await app.waitForText('Interrupted: ');
    await app.press(keys.escape);
    await app.waitFor(
      (s) => /›\s+! 2\.1 Create the queue table/.test(s),
      'the checklist with the interrupted step',
    );
    await app.press(keys.enter);
    await app.waitForText('Interrupted: ');
  });

  it('drift is listed, flagged when a changed step already ran, and must be accepted to go on', async () => {
    const engine = new FixtureEngine({
      events: interruptedCreateQueue,
      drift: [
        { step: 'backup', change: 'changed', ran: true },
        { step: 'copy-tasks', change: 'changed', ran: false, diff: ['   "backfill": {', '-    "batch": 5000', '+    "batch": 500'] },
      ],
    });
    const app = await renderApp(engine, { mode: 'resume' });
    const summary = await app.waitForText('the runbook changed since the run started (2 steps)');
    expect(summary).toContain('interrupted: 2.1 Create the queue table');
    await app.press(keys.enter);
    const drift = await app.waitForText('The runbook changed since this run started: 2 steps');
    expect(drift).toMatch(/changed\s+1\.2 Back up the task tables\s+! already ran/);
    expect(drift).toMatch(/changed\s+2\.2 Copy tasks into the queue\s*$/m);
    expect(drift).toMatch(/^\s*-\s+"batch": 5000\s*$/m);
    expect(drift).toMatch(/^\s*\+\s+"batch": 500\s*$/m);
    await app.press(keys.enter);
    expect(app.screen()).toContain('The runbook changed since this run started');
    await app.press('y');
    // Accepted: the interrupted step is the next decision.
    await app.waitForText('Interrupted: 2.1 Create the queue table');
  });

  it('not accepting drift pauses the run and leaves', async () => {
    const engine = new FixtureEngine({
      events: prepDone,
      drift: [{ step: 'backup', change: 'removed', ran: true }],
    });
    const app = await renderApp(engine, { mode: 'resume' });
    await app.press(keys.enter);
    await app.waitForText('The runbook changed');
    await app.press('q');
    await app.waitFor(() => app.onExit.mock.calls.length > 0, 'the exit');
    expect(engine.callsOf('pause')).toEqual([['runbook changed; drift not accepted']]);
    expect(app.onExit).toHaveBeenCalledWith({ exit: 'paused' });
  });

  it('q while a step runs asks; n keeps it running, y cancels the step and pauses', async () => {
    const engine = new FixtureEngine({ events: [...prepDone, started('create-queue')] });
    engine.setLive({ active: { step: 'create-queue', rollback: false, since: Date.now() - 65_000 } });
    const app = await renderApp(engine);
    await app.press('q');
    const dialog = await app.waitForText('Quit while a step runs?');
    expect(dialog).toContain('2.1 Create the queue table is running (running for 01:05)');
    await app.press('n');
    await app.waitForText('─ Checklist');
    expect(engine.callsOf('pause')).toEqual([]);
    await app.press('q');
    await app.waitForText('Quit while a step runs?');
    await app.press('y');
    await app.waitFor(() => app.onExit.mock.calls.length > 0, 'the exit');
    expect(engine.callsOf('pause')).toEqual([['quit']]);
    expect(app.onExit).toHaveBeenCalledWith({ exit: 'paused' });
  });

  it('Ctrl+C while a step runs asks: escape stays, a second Ctrl+C detaches and the step goes on', async () => {
    const engine = new FixtureEngine({ events: [...prepDone, started('create-queue')] });
    engine.setLive({ active: { step: 'create-queue', rollback: false, since: Date.now() - 65_000 } });
    const app = await renderApp(engine);
    await app.press(keys.ctrlC);
    const dialog = await app.waitForText('Leave this screen?');
    expect(dialog).toContain('2.1 Create the queue table is running (for 01:05)');
    expect(dialog).toContain('p pause after this step');
    expect(dialog).toContain('c cancel the step now');
    await app.press(keys.escape);
    await app.waitForText('─ Checklist');
    await app.press(keys.ctrlC);
    await app.waitForText('Leave this screen?');
    await app.press(keys.ctrlC);
    await app.waitFor(() => app.onExit.mock.calls.length > 0, 'the exit');
    expect(app.onExit).toHaveBeenCalledWith({ exit: 'detached' });
    expect(engine.callsOf('pause')).toEqual([]);
    expect(engine.callsOf('cancel')).toEqual([]);
  });

  it('Ctrl+C then p pauses once the running step has finished; c cancels it now', async () => {
    const after = new FixtureEngine({ events: [...prepDone, started('create-queue')] });
    after.setLive({ active: { step: 'create-queue', rollback: false, since: Date.now() } });
    const first = await renderApp(after);
    await first.press(keys.ctrlC);
    await first.waitForText('Leave this screen?');
    await first.press('p');
    await first.waitFor(() => first.onExit.mock.calls.length > 0, 'the exit');
    expect(after.callsOf('pause')).toEqual([['paused with Ctrl+C', { afterStep: true }]]);
    expect(first.onExit).toHaveBeenCalledWith({ exit: 'paused' });

    const now = new FixtureEngine({ events: [...prepDone, started('create-queue')] });
    now.setLive({ active: { step: 'create-queue', rollback: false, since: Date.now() } });
    const second = await renderApp(now);
    await second.press(keys.ctrlC);
    await second.waitForText('Leave this screen?');
    await second.press('c');
    await second.waitFor(() => second.onExit.mock.calls.length > 0, 'the exit');
    expect(now.callsOf('pause')).toEqual([['cancelled with Ctrl+C']]);
  });

  it('the rollback plan warns past the point of no return and asks a note for irreversible steps', async () => {
    const engine = new FixtureEngine({ events: untilDropLegacy });
    const app = await renderApp(engine, { columns: 100, rows: 40 });
    await app.waitForText('3.4 Drop the legacy table');
    await app.press('b');
    const plan = await app.waitForText('Rollback plan');
    expect(plan).toContain('past the point of no return (3.3 Read tasks from the queue)');
    expect(plan).toMatch(/sign off\s+3\.2 Tell the on-call channel · irreversible: no rollback defined/);
    expect(plan).toMatch(/sign off\s+3\.1 Stop the legacy scheduler · manual step: undo it by hand/);
    await app.press('y');
    const confirm = await app.waitForText('Roll back 6 steps?');
    expect(confirm).toContain('Irreversible, passed with your sign-off (undo them by hand): 3.2, 3.1.');
    await app.type('scheduler back up by hand');
    await app.press(keys.enter);
    expect(engine.callsOf('rollback')).toEqual([[{ to: undefined, note: 'scheduler back up by hand' }]]);
  });

  it('rolling back past a step that needed a typed phrase asks for that phrase again before anything is undone', async () => {
    const engine = new FixtureEngine({ events: [...untilDropLegacy, ...ran('drop-legacy')] });
    const app = await renderApp(engine, { columns: 100, rows: 40 });
    await app.waitForText('3.4 Drop the legacy table');
    await app.press('b');
    await app.waitForText('Rollback plan');
    await app.press('y');
    const asked = await app.waitForText('Roll back past 3.4 Drop the legacy table: type its phrase');
    expect(asked).toContain('rolling back past it needs it again');
    await app.press(keys.enter);
    await app.type('drop it');
    await app.press(keys.enter);
    await app.waitForText('that does not match');
    expect(engine.callsOf('rollback')).toEqual([]);
    await app.type('drop tasks');
    await app.press(keys.enter);
    await app.waitForText('Roll back 7 steps?');
    await app.type('scheduler back up by hand');
    await app.press(keys.enter);
    expect(engine.callsOf('rollback')).toEqual([
      [{ to: undefined, note: 'scheduler back up by hand', confirm: { 'drop-legacy': 'drop tasks' } }],
    ]);
  });

  it('t limits the rollback plan to the steps after the selected one', async () => {
    const engine = new FixtureEngine({ events: [...prepDone, ...ran('create-queue'), ...ran('copy-tasks')] });
    const app = await renderApp(engine, { columns: 100, rows: 30 });
    await app.waitForText('2.3 Every task');
    await app.press('k', 'k');
    await app.waitFor((s) => /›\s+✔ 2\.1 Create/.test(s), '2.1 selected');
    await app.press('b');
    await app.waitForText('t only the steps after 2.1');
    await app.press('t');
    const plan = await app.waitForText('Rollback plan after 2.1: 1 step to undo');
    expect(plan).toMatch(/reverse\s+2\.2 Copy tasks/);
    expect(plan).not.toMatch(/reverse\s+2\.1/);
    await app.press('y', 'y');
    expect(engine.callsOf('rollback')).toEqual([[{ to: 'create-queue', note: undefined }]]);
  });

  it('starts on the rollback plan in rollback mode', async () => {
    const engine = new FixtureEngine({ events: prepDone });
    const app = await renderApp(engine, { mode: 'rollback' });
    await app.waitForText('Rollback plan: 1 step to undo');
    await app.press(keys.escape);
    await app.waitForText('─ Checklist');
    expect(engine.callsOf('rollback')).toEqual([]);
    expect(operator).toBe('alice@bastion');
  });
});

function expectFits(screen: string, columns: number, rows: number): void {
  const lines = screen.split('\n');
  expect(lines.length, screen).toBeLessThan(rows);
  for (const line of lines) expect(stringWidth(line), `too wide:\n${line}`).toBeLessThanOrEqual(columns);
}

// What is being signed, on the sign-off dialog itself, at 80x24.
describe('signing off', () => {
  const cutover = {
    version: 1,
    name: 'signing',
    connections: { app: { url: 'postgres://app@db/app' } },
    phases: [
      {
        id: 'cutover',
        title: 'Cutover',
        steps: [
          {
            id: 'stop-intake',
            title: 'Stop accepting tasks in the legacy system',
            manual: [
              'Stop the legacy scheduler so no new task reaches `background_tasks`:',
              '',
              '- scale the BackgroundTaskManager scheduler to 0 replicas in the production cluster,',
              '- keep the legacy **workers** running so in-flight tasks can finish,',
              '- confirm on the dashboard that the task intake rate is 0.',
            ].join('\n'),
          },
          { id: 'switch', title: 'Read from the queue', sql: "UPDATE flags SET on = true WHERE name = 'queue'" },
        ],
        gate: {
          signoff: { count: 2 },
          checks: [
            { sql: 'SELECT count(*) AS missing FROM background_tasks', expect: { missing: 0 } },
            { sql: 'SELECT count(*) AS stuck FROM task_queue WHERE leased', expect: { stuck: 0 } },
          ],
        },
      },
      { id: 'cleanup', title: 'Cleanup', steps: [{ id: 'archive', manual: 'Archive the legacy table.' }] },
    ],
  };

  it("shows a manual step's instruction as text, every line of it, in 80x24", async () => {
    const engine = new FixtureEngine({ runbook: cutover });
    const app = await renderApp(engine, { columns: 80, rows: 24 });
    await app.waitForText('1.1 Stop accepting tasks');
    await app.press('s');
    const dialog = await app.waitForText('Sign off 1.1 Stop accepting tasks in the legacy system');
    expectFits(dialog, 80, 24);
    expect(dialog).toMatch(/instruction:\n\s+Stop the legacy scheduler so no new task reaches `background_tasks`:/);
    expect(dialog).toMatch(/- scale the BackgroundTaskManager scheduler to 0 replicas in the production\n\s+cluster,/);
    expect(dialog).toContain('- keep the legacy workers running so in-flight tasks can finish,');
    expect(dialog).toContain('- confirm on the dashboard that the task intake rate is 0.');
    expect(dialog).not.toContain('will run:');
    expect(dialog).toContain('you sign as Unix user alice ("alice@bastion"): enter signs · escape cancels');
    await app.type('scaled to 0');
    await app.press(keys.enter);
    expect(engine.callsOf('signStep')).toEqual([['stop-intake', 'scaled to 0']]);
  });

  it('shows the gate: its phase, its checks and their last result, the sign-offs it needs and who signed', async () => {
    const engine = new FixtureEngine({
      runbook: cutover,
      events: [
        started('stop-intake'),
        { type: 'step.signed', step: 'stop-intake', operator: 'bob@bastion', note: 'scaled', purpose: 'manual' },
        ...ran('switch'),
        {
          type: 'gate.checked',
          phase: 'cutover',
          ok: false,
          details: { failures: ['missing: expected 0, got 12'] },
        },
        { type: 'gate.signed', phase: 'cutover', operator: 'bob@bastion', user: 'bob', note: 'intake is flat' },
      ],
    });
    const app = await renderApp(engine, { columns: 80, rows: 24 });
    await app.waitForText('next: s signs off the gate');
    await app.press('s');
    const dialog = await app.waitForText('Sign off the gate of phase 1 Cutover');
    expectFits(dialog, 80, 24);
    expect(dialog).toMatch(/phase 1 Cutover is complete \(2 of 2 steps done\)/);
    expect(dialog).toMatch(/checks run first; a failure stops the sign-off/);
    expect(dialog).toContain('2 checks: failed last time: missing: expected 0, got 12');
    expect(dialog).toContain('needs 2 sign-offs by different Unix users: 1 signed, 1 to go');
    expect(dialog).toMatch(/- signed by bob \(bob@bastion\) at \d\d:\d\d:\d\d: intake is flat/);
    // Who signs now: the Unix user the engine verified, with the display name beside it.
    expect(dialog).toContain('you sign as Unix user alice ("alice@bastion"): enter signs · escape cancels');
    expect(dialog).toMatch(
      /will run:\n\s+SELECT count\(\*\) AS missing FROM background_tasks\n\s+-- expect missing = 0/,
    );
    expect(dialog).toContain('SELECT count(*) AS stuck FROM task_queue WHERE leased');
    await app.press(keys.enter);
    expect(engine.callsOf('signGate')).toEqual([['cutover', '']]);
  });

  it('says so when the operator has signed the gate already', async () => {
    const engine = new FixtureEngine({
      runbook: cutover,
      events: [
        started('stop-intake'),
        { type: 'step.signed', step: 'stop-intake', operator, note: 'scaled', purpose: 'manual' },
        ...ran('switch'),
        { type: 'gate.checked', phase: 'cutover', ok: true, details: { failures: [] } },
        { type: 'gate.signed', phase: 'cutover', operator, user, note: 'intake is flat' },
      ],
    });
    const app = await renderApp(engine, { columns: 80, rows: 24 });
    await app.waitForText('next: s signs off the gate');
    await app.press('s');
    const dialog = await app.waitForText('Sign off the gate of phase 1 Cutover');
    expectFits(dialog, 80, 24);
    expect(dialog).toContain('2 checks: passed');
    expect(dialog).not.toContain('will run:');
    expect(dialog).toMatch(
      /you \(alice\) signed already: another Unix user signs with `stepwise\s+approve`\s+in their own\s+session/,
    );
  });
});
