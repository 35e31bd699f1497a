import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FixtureEngine, operator, prepDone, ran, started, untilDropLegacy } from './fixture-engine.js';
import { renderApp } from './render-app.js';

afterEach(cleanup);

// The detail pane is right of the divider: its text, one line per screen row.
function detail(screen: string): string {
  return screen
    .split('\n')
    .map((line) => line.split('│').slice(1).join('│').trimEnd())
    .join('\n');
}

const backfillRunning = [
  ...prepDone,
  ...ran('create-queue'),
  started('copy-tasks'),
  {
    type: 'batch.committed' as const,
    step: 'copy-tasks',
    batch: 128,
    lo: 635000,
    hi: 640000,
    rows: 4990,
    skipped: 10,
    size: 5000,
    duration_ms: 96,
  },
  {
    type: 'step.progress' as const,
    step: 'copy-tasks',
    message: 'batch 128',
    data: {
      rows: 638800,
      skipped: 1200,
      total: 1_000_000,
      rate: 52_000,
      etaMs: 7000,
      key: 640000,
      batchSize: 5000,
    },
  },
];

describe('the detail pane', () => {
  it('shows a running backfill as a progress bar with rate, ETA, batch size, key and skipped rows', async () => {
    const engine = new FixtureEngine({ events: backfillRunning });
    engine.setLive({
      active: { step: 'copy-tasks', rollback: false, since: Date.now() },
      output: {
        'copy-tasks': {
          lines: [
            'batch 127: 630001..635000  5000 rows  95 ms',
            'batch 128: 635001..640000  5000 rows  96 ms',
          ],
          total: 128,
        },
      },
    });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    const pane = detail(await app.waitForText('rows/s'));
    expect(pane).toMatch(/█+░+\s+64%\s+640,000 \/ 1,000,000 rows/);
    expect(pane).toContain('52,000 rows/s · ETA 00:07 · batch 5,000 · 1,200 skipped · key 640000');
    expect(pane).toContain('batch 128: 635001..640000  5000 rows  96 ms');
    expect(pane).toMatch(/output · 128 lines/);
    engine.setLive({ backfill: { 'copy-tasks': { paused: true, batchSize: 2500 } } });
    const paused = detail(await app.waitForText('PAUSED'));
    expect(paused).toContain('PAUSED (p resumes) · 52,000 rows/s · batch 2,500');
    expect(paused).not.toContain('ETA');
  });

  it('shows a finished backfill with a full bar', async () => {
    const engine = new FixtureEngine({
      events: [
        ...backfillRunning,
        { type: 'step.succeeded', step: 'copy-tasks', attempt: 1, duration_ms: 19_000, rows: 998_800 },
      ],
    });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    await app.press('k');
    const pane = detail(await app.waitForText('2.2 Copy tasks into the queue ── backfill'));
    expect(pane).toMatch(/█{10,} 100%\s+640,000 \/ 1,000,000 rows/);
    expect(pane).toContain('done · alice@bastion · 19.0s');
    expect(pane).not.toContain('░');
  });

  it('shows a failed check as expected against actual, the failing column marked', async () => {
    const engine = new FixtureEngine({
      events: [
        ...prepDone,
        ...ran('create-queue'),
        ...ran('copy-tasks'),
        started('counts-match'),
        {
          type: 'step.failed',
          step: 'counts-match',
          attempt: 1,
          duration_ms: 30,
          error: 'check failed: missing is 12, expected 0',
          details: {
            expected: { missing: 0, total: { gt: 0 } },
            actual: { missing: 12, total: 120000, legacy: 120000 },
            failures: ['missing: expected 0, got 12'],
          },
        },
      ],
    });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    const pane = detail(await app.waitForText('expected'));
    expect(pane).toContain('✖ failed');
    expect(pane).toContain('next: r retries it');
    expect(pane).toContain('check failed: missing is 12, expected 0');
    expect(pane).toMatch(/column\s+expected\s+actual/);
    expect(pane).toMatch(/✖ missing\s+0\s+12/);
    expect(pane).toMatch(/^ {3}total\s+> 0\s+120000/m);
    expect(pane).toMatch(/^ {3}legacy\s+120000/m);
  });

  it('shows the error of a failed step and when it will be retried', async () => {
    const engine = new FixtureEngine({
      events: [
        ...ran('health'),
        started('backup'),
        {
          type: 'step.failed',
          step: 'backup',
          attempt: 1,
          duration_ms: 40,
          error: 'lock timeout on tasks',
          retry_in_ms: 5000,
        },
      ],
    });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    const pane = detail(await app.waitForText('lock timeout'));
    expect(pane).toContain('lock timeout on tasks');
    expect(pane).toContain('retrying in 5.0s');
  });

  it('shows the sign-off record of a manual step and a gate', async () => {
    const engine = new FixtureEngine({ events: untilDropLegacy });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    await app.press('k', 'k', 'k');
    const manual = detail(await app.waitForText('3.1 Stop the legacy scheduler ── manual'));
    expect(manual).toMatch(/signed off by alice@bastion at \d\d:\d\d:\d\d: scaled to 0/);
    expect(manual).toContain('instruction:');
    expect(manual).toContain('Scale the scheduler to 0 replicas.');
    await app.press('k', 'k', 'k', 'k', 'k', 'k');
    const gate = detail(await app.waitForText('1 Preparation ── gate'));
    expect(gate).toContain('gate: sign-off · passed');
    expect(gate).toMatch(/signed off by alice@bastion at \d\d:\d\d:\d\d: looks good/);
  });

  it('warns before and after the point of no return', async () => {
    const before = new FixtureEngine({
      events: [...untilDropLegacy.slice(0, -2)],
    });
    const app = await renderApp(before, { columns: 120, rows: 30 });
    const pending = detail(await app.waitForText('3.3 Read tasks from the queue ── sql'));
    expect(pending).toContain('! point of no return: after this step, rolling back needs more than');
    cleanup();
    const after = new FixtureEngine({ events: untilDropLegacy });
    const done = await renderApp(after, { columns: 120, rows: 30 });
    await done.press('k');
    const passed = detail(await done.waitForText('3.3 Read tasks from the queue ── sql'));
    expect(passed).toContain('! past the point of no return: rolling back now needs more than');
  });

  it('says whether a step can be rolled back, and how it was', async () => {
    const engine = new FixtureEngine({
      events: [
        ...untilDropLegacy,
        { type: 'rollback.started', operator, plan: ['flip-flag', 'notify'] },
        { type: 'step.started', step: 'flip-flag', attempt: 2, operator, log: '', rollback: true },
        { type: 'step.rolled_back', step: 'flip-flag', operator, duration_ms: 20, how: 'reversed' },
        {
          type: 'step.rolled_back',
          step: 'notify',
          operator,
          duration_ms: 0,
          how: 'signed',
          note: 'told them again',
        },
      ],
    });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    await app.press('G', 'k', 'k');
    const flipped = detail(await app.waitForText('3.3 Read tasks from the queue ── sql'));
    expect(flipped).toMatch(/↺ rolled back/);
    expect(flipped).toMatch(/rolled back by alice@bastion at \d\d:\d\d:\d\d/);
    await app.press('k');
    const notify = detail(await app.waitForText('3.2 Tell the on-call channel ── run'));
    expect(notify).toMatch(/rollback signed off by alice@bastion at \d\d:\d\d:\d\d: told them again/);
    await app.press('g', 'j', 'j');
    const backup = detail(await app.waitForText('1.2 Back up the task tables ── sql'));
    expect(backup).toContain('rollback: defined (b shows the plan)');
  });

  it('shows a skipped step with its reason, and an irreversible one as such', async () => {
    const engine = new FixtureEngine({
      events: [
        ...prepDone,
        { type: 'step.skipped', step: 'create-queue', reason: 'created by the deploy', operator },
      ],
    });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    await app.press('k');
    const skipped = detail(await app.waitForText('2.1 Create the queue table ── sql'));
    expect(skipped).toContain('skipped by alice@bastion: created by the deploy');
    await app.press('j', 'j', 'j', 'j', 'j');
    const notify = detail(await app.waitForText('3.2 Tell the on-call channel ── run'));
    expect(notify).toContain('! no rollback: irreversible, rolling back asks for a sign-off');
    expect(notify).toContain("echo 'cutover of CHG-1'");
  });
});
