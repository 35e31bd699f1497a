import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FixtureEngine } from './fixture-engine.js';
import { keys, renderApp } from './render-app.js';

afterEach(cleanup);

const watch = {
  version: 1,
  name: 'watch',
  connections: { app: { url: 'postgres://app@db:5432/app' } },
  phases: [
    {
      id: 'watch',
      title: 'Watch',
      steps: [
        {
          id: 'monitor',
          title: 'Monitor the queue for 24 hours',
          soak: {
            for: '24h',
            every: '10m',
            checks: [{ conn: 'app', sql: 'SELECT 0 AS stuck', expect: { stuck: 0 } }],
          },
        },
      ],
    },
  ],
};

describe('a soaking step on screen', () => {
  it('counts down to its end in the header and the detail pane, with its latest checks', async () => {
    const started = Date.now() - 6 * 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const engine = new FixtureEngine({
      runbook: watch,
      startedMsAgo: 6 * 3_600_000 + 60_000,
      events: [
        { type: 'step.started', step: 'monitor', attempt: 1, operator: 'alice@bastion', log: '' },
        {
          type: 'soak.started',
          step: 'monitor',
          started_at: iso(started),
          ends_at: iso(started + 24 * 3_600_000),
          every_ms: 600_000,
        },
        ...[0, 1, 2].map((i) => ({
          type: 'soak.checked' as const,
          step: 'monitor',
          at: iso(started + i * 600_000),
          ok: true,
          results: [{ ok: true, summary: `stuck = 0 (${i})` }],
        })),
      ],
    });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    const screen = await app.waitForText('left · until');
    expect(screen).toMatch(/soak 1[78]:\d\d:\d\d left/);
    expect(screen).toMatch(/█{5}░+ 1[78]:\d\d:\d\d left · until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(screen).toContain('checks every 10:00 · 3 evaluations');
    const history = screen.split('\n').filter((l) => l.includes('stuck = 0'));
    expect(history.map((l) => l.match(/\((\d)\)/)?.[1])).toEqual(['2', '1', '0']);
    expect(screen).toContain('soaking');
  });
});

describe('ending a soak early on screen', () => {
  it('s on the soaking step asks a reason and the engine ends it; two people are named when the gates take two', async () => {
    const started = Date.now() - 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const soaking = [
      { type: 'step.started' as const, step: 'monitor', attempt: 1, operator: 'alice@bastion', log: '' },
      {
        type: 'soak.started' as const,
        step: 'monitor',
        started_at: iso(started),
        ends_at: iso(started + 24 * 3_600_000),
        every_ms: 600_000,
      },
    ];
    const engine = new FixtureEngine({ runbook: watch, events: soaking });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    const screen = await app.waitForText('end soak early');
    expect(screen).toContain('s end soak early');
    await app.press('s');
    const dialog = await app.waitForText('End the soak 1.1 Monitor the queue for 24 hours early');
    expect(dialog).toContain('The soak ends now, as if its time were up.');
    await app.type('queue empty for 6 hours');
    await app.press(keys.enter);
    await app.waitFor(() => engine.callsOf('endSoak').length > 0, 'the intent');
    expect(engine.callsOf('endSoak')).toEqual([['monitor', 'queue empty for 6 hours']]);

    const twoPeople = {
      ...watch,
      phases: [{ id: 'build', steps: [{ id: 'create', sql: { conn: 'app', text: 'SELECT 1' } }], gate: { signoff: { count: 2 } } }, ...watch.phases],
    };
    const strict = new FixtureEngine({ runbook: twoPeople, events: soaking });
    const second = await renderApp(strict, { columns: 120, rows: 30 });
    await second.press('j');
    await second.press('j');
    await second.press('j');
    await second.waitForText('end soak early');
    await second.press('s');
    expect(await second.waitForText('End the soak')).toContain('takes 2 different Unix users (0 signed so far)');
  });
});
