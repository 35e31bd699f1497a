import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FixtureEngine, operator, prepDone, ran, started } from './fixture-engine.js';
import { keys, renderApp } from './render-app.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('resuming a run', () => {
  it('opens on what ran, by whom and when, what was interrupted, and the window used', async () => {
    // The window timer reads the wall clock: held still, however long the test takes (the run
    // started 9:30 before it, its run.started a second later).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-11-23T02:09:30Z') });
    const engine = new FixtureEngine({
      startedMsAgo: 9 * 60_000 + 30_000,
      events: [
        ...prepDone,
        ...ran('create-queue'),
        started('copy-tasks'),
        { type: 'run.resumed', operator: 'bob@bastion', host: 'bastion-2', pid: 9, ssh: '10.0.0.7', accepted_drift: [] },
        { type: 'step.probed', step: 'copy-tasks', applied: false },
      ],
    });
    const app = await renderApp(engine, { mode: 'resume', columns: 130, rows: 30 });
    const summary = await app.waitForText('─ Resuming');
    expect(summary).toContain('Run rehearsal-20261123T020000Z of "Rehearse the queue migration"');
    expect(summary).toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by alice@bastion on bastion; operators since: alice@bastion, bob@bastion/);
    expect(summary).toContain('window used: 9 min of 15 min');
    expect(summary).toContain('3 of 9 steps done · 1 interrupted');
    expect(summary).toMatch(
      /! interrupted: 2\.2 Copy tasks into the queue \(attempt 1, started \d\d:\d\d:\d\d by alice@bastion\); its probe says it had not taken\s+effect/,
    );
    expect(summary).toMatch(/✔ 1\.1 Server is healthy\s+done alice@bastion \d\d:\d\d:\d\d 1\.2s/);
    expect(summary).toMatch(/✔ 2\.1 Create the queue table\s+done alice@bastion/);
    expect(summary).toContain('next: 2.2 Copy tasks into the queue (decide: retry, mark done or roll back)');
    expect(operator).toBe('alice@bastion');
    await app.press(keys.enter);
    await app.waitForText('Interrupted: 2.2 Copy tasks into the queue');
    await app.press(keys.escape);
    await app.waitForText('─ Checklist');
  });

  it('shows a step quit with q as stopped by the pause, by whom and when, to be run again', async () => {
    const engine = new FixtureEngine({
      events: [
        ...prepDone,
        ...ran('create-queue'),
        started('copy-tasks'),
        // q while the backfill ran: the engine cancels it, then journals the pause.
        {
          type: 'step.failed',
          step: 'copy-tasks',
          attempt: 1,
          duration_ms: 4000,
          error: 'interrupted: quit',
        },
        { type: 'run.paused', reason: 'quit', step: 'copy-tasks', operator: 'bob@bastion' },
        { type: 'run.resumed', operator, host: 'bastion', pid: 9, accepted_drift: [] },
      ],
    });
    const app = await renderApp(engine, { mode: 'resume', columns: 100, rows: 30 });
    const summary = await app.waitForText('─ Resuming');
    expect(summary).toContain('3 of 9 steps done · 1 stopped by the pause');
    expect(summary).toMatch(
      /! stopped by the pause: 2\.2 Copy tasks into the queue \(attempt 1\): bob@bastion paused the run at\s+\d\d:\d\d:\d\d \(quit\); it is offered to run again/,
    );
    expect(summary).toMatch(/! 2\.2 Copy tasks into the queue\s+stopped alice@bastion \d\d:\d\d:\d\d 4\.0s/);
    expect(summary).toContain('next: 2.2 Copy tasks into the queue (stopped by the pause: enter runs it again)');
    expect(summary).not.toContain('failed');
    await app.press(keys.enter);
    // The checklist on it, offering to run it again.
    await app.waitFor((s) => /›\s+\S 2\.2 Copy tasks into the queue/.test(s), 'the checklist on the step');
    expect(app.screen()).toContain('r retry');
  });

  it('after a rollback to a step, counts what it undid or passed over as to be run again', async () => {
    const engine = new FixtureEngine({
      events: [
        ...prepDone,
        ...ran('create-queue'),
        ...ran('copy-tasks'),
        ...ran('counts-match'),
        { type: 'rollback.started', operator, plan: ['counts-match', 'copy-tasks'], to: 'create-queue' },
        { type: 'step.rolled_back', step: 'copy-tasks', operator, duration_ms: 50, how: 'reversed' },
        { type: 'rollback.finished', complete: true },
        { type: 'run.resumed', operator, host: 'bastion', pid: 9, accepted_drift: [] },
      ],
    });
    const app = await renderApp(engine, { mode: 'resume', columns: 120, rows: 30 });
    const summary = await app.waitForText('─ Resuming');
    expect(summary).toContain('3 of 9 steps done · 1 rolled back · 1 passed over by the rollback (they run again)');
    expect(summary).toContain('next: 2.2 Copy tasks into the queue');
  });

  it('goes straight to the checklist when nothing waits for a decision', async () => {
    const engine = new FixtureEngine({ events: [...prepDone, { type: 'run.paused', reason: 'quit', operator }] });
    const app = await renderApp(engine, { mode: 'resume' });
    expect(await app.waitForText('─ Resuming')).toContain('next: 2.1 Create the queue table');
    await app.press(keys.enter);
    await app.waitFor((s) => /›\s+· 2\.1 Create the queue table/.test(s), 'the checklist on the next step');
  });
});
