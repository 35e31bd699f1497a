import { cleanup } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src/journal/events.js';
import { FixtureEngine, prepDone, rehearsal, started, untilDropLegacy } from './fixture-engine.js';
import { keys, renderApp } from './render-app.js';

afterEach(cleanup);

// A runbook written to overflow: long titles, wide characters, long descriptions and targets.
const crowded = {
  ...rehearsal,
  name: 'a-runbook-with-a-rather-long-name-for-the-header',
  description: 'Everything here is longer than an 80-column terminal — on purpose.',
  phases: rehearsal.phases.map((phase) => ({
    ...phase,
    title: `${phase.title} of the legacy background task tables into the new queue — 数据迁移`,
    steps: phase.steps.map((step) => ({
      ...step,
      title: `${step.title} and then some more words so that the title cannot fit in any pane`,
      description: `${'A long description that wraps over several lines of the detail pane, naming tables like background_tasks_with_a_very_long_name. '.repeat(4)}`,
    })),
  })),
};

const noisyOutput = {
  lines: Array.from({ length: 200 }, (_, i) => `${i}: ${'x'.repeat(300)} ✓ 完成 🎉`),
  total: 500_000,
};

function assertFits(screen: string, columns: number, rows: number): void {
  const lines = screen.split('\n');
  expect(lines.length, screen).toBeLessThan(rows);
  for (const line of lines) expect(stringWidth(line), `too wide:\n${line}`).toBeLessThanOrEqual(columns);
}

async function crowdedApp(columns: number, rows: number, ascii = false, events: EventPayload[] = []) {
  const engine = new FixtureEngine({
    runbook: crowded,
    events: [...prepDone, started('create-queue'), ...events],
    connections: [
      {
        name: 'app',
        target: `postgres://app@${'db-prod-replica-'.repeat(6)}example.internal:5432/app`,
        production: true,
        embedded: false,
      },
      { name: 'audit', target: 'embedded audit', production: false, embedded: true },
    ],
  });
  engine.setLive({
    active: { step: 'create-queue', rollback: false, since: Date.now() },
    output: { 'create-queue': noisyOutput },
    notice: {
      level: 'warn',
      text: `a notice from the engine that is far too long to fit ${'on one line '.repeat(10)}`,
    },
  });
  const app = await renderApp(engine, {
    columns,
    rows,
    caps: { sshWithoutMultiplexer: true, unicode: !ascii },
  });
  await app.waitForText(ascii ? '- Checklist' : '─ Checklist');
  return { engine, app };
}

describe('fitting the terminal', () => {
  it('fits 80x24 with a running step, endless output, long titles, two connections and the SSH warning', async () => {
    const { app } = await crowdedApp(80, 24);
    const screen = app.screen();
    assertFits(screen, 80, 24);
    expect(screen).toContain('running over SSH outside tmux/screen');
    expect(screen).toContain('PRODUCTION');
    expect(screen).toContain('…');
    // Only the newest output lines that fit, under the output rule.
    expect(screen).toContain('199: xxx');
    expect(screen).not.toContain('150: xxx');
    expect(screen).toContain('500,000 lines');
  });

  it('fits 80x24 on every screen and dialog', async () => {
    const engine = new FixtureEngine({ runbook: crowded, events: untilDropLegacy });
    const app = await renderApp(engine, { columns: 80, rows: 24, caps: { sshWithoutMultiplexer: true } });
    const visit = async (open: string[], expected: string, close: string[] = [keys.escape]) => {
      await app.press(...open);
      assertFits(await app.waitForText(expected), 80, 24);
      await app.press(...close);
      await app.waitForText('─ Checklist');
    };
    await app.waitForText('─ Checklist');
    assertFits(app.screen(), 80, 24);
    await visit([keys.enter], 'exactly to go on');
    await visit(['x'], 'reason (required)');
    await visit(['b'], 'Rollback plan');
    await visit(['b', 'y'], 'note for the sign-off');
    await visit(['?'], '─ Help');
    await visit(['l'], 'Log 3.4');
    await visit(['k', 'k', 'k', 'k'], 'gate: ', []);
    assertFits(app.screen(), 80, 24);
  });

  it('fits 80x24 on the resume summary, drift, interrupted and quit dialogs', async () => {
    const engine = new FixtureEngine({
      runbook: crowded,
      events: [
        ...prepDone,
        started('create-queue'),
        { type: 'run.resumed', operator: 'bob', host: 'h', pid: 1, accepted_drift: [] },
      ],
      drift: crowded.phases.flatMap((p) =>
        p.steps.map((s) => ({ step: s.id, change: 'changed' as const, ran: true })),
      ),
    });
    const app = await renderApp(engine, { columns: 80, rows: 24, mode: 'resume' });
    assertFits(await app.waitForText('─ Resuming'), 80, 24);
    await app.press(keys.enter);
    assertFits(await app.waitForText('The runbook changed'), 80, 24);
    await app.press('y');
    assertFits(await app.waitForText('Interrupted: '), 80, 24);
    await app.press(keys.escape);
    engine.emit(started('create-queue', 2));
    engine.setLive({ active: { step: 'create-queue', rollback: false, since: Date.now() } });
    await app.press('q');
    assertFits(await app.waitForText('Quit while a step runs?'), 80, 24);
  });

  it('re-lays out live when the terminal is resized, down to a message when too small', async () => {
    const { app } = await crowdedApp(120, 36);
    assertFits(app.screen(), 120, 36);
    app.resize(80, 24);
    await app.waitFor((s) => s.split('\n').every((l) => stringWidth(l) <= 80), 'the 80-column frame');
    assertFits(app.screen(), 80, 24);
    app.resize(100, 16);
    await app.waitFor((s) => s.split('\n').length < 16, 'the 16-row frame');
    assertFits(app.screen(), 100, 16);
    app.resize(40, 10);
    const small = await app.waitForText('too small');
    expect(small).toContain('terminal 40x10 is too small');
    assertFits(small, 40, 10);
  });

  it('draws only ASCII when the locale is not UTF-8, content included', async () => {
    const { app } = await crowdedApp(80, 24, true);
    const screens = [app.screen()];
    for (const [open, expected] of [
      [['?'], '- Help'],
      [['l'], 'Log 2.1'],
    ] as const) {
      await app.press(...open);
      screens.push(await app.waitForText(expected));
      await app.press(keys.escape);
      await app.waitForText('- Checklist');
    }
    for (const screen of screens) {
      assertFits(screen, 80, 24);
      expect(screen, screen).toMatch(/^[\x20-\x7e\n]*$/);
    }
    expect(screens[0]).toContain('...');
  });
});
