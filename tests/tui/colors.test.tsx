import chalk from 'chalk';
import { cleanup } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FixtureEngine, prepDone, untilDropLegacy } from './fixture-engine.js';
import { keys, renderApp } from './render-app.js';

// Ink colours through chalk, whose level is decided when it is first imported (by whichever
// test file of this worker came first): colours on for this file, so that the absence of
// colour codes below is the TUI's doing.
const level = chalk.level;
beforeAll(() => {
  chalk.level = 1;
});
afterAll(() => {
  chalk.level = level;
});

afterEach(cleanup);

const colourCode = /\u001B\[(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;\d+)*m/;

// The SGR codes written right before `text` on the raw frame.
function styleOf(raw: string, text: string): string {
  const at = raw.indexOf(text);
  if (at < 0) throw new Error(`no "${text}" in the frame`);
  return /(?:\u001B\[[\d;]*m)*$/.exec(raw.slice(0, at))?.[0] ?? '';
}

describe('colour', () => {
  it('uses colour when the terminal has it (so the next test can fail)', async () => {
    const app = await renderApp(new FixtureEngine({ events: prepDone }));
    await app.waitForText('Checklist');
    expect(app.raw()).toMatch(colourCode);
    expect(styleOf(app.raw(), ' PRODUCTION ')).toContain('\u001B[41m');
  });

  it('writes no colour code at all with NO_COLOR, on any screen', async () => {
    const engine = new FixtureEngine({ events: untilDropLegacy, startedMsAgo: 20 * 60_000 });
    const app = await renderApp(engine, { caps: { color: false, sshWithoutMultiplexer: true } });
    const frames = [await app.waitForText('Checklist')].map(() => app.raw());
    for (const open of [[keys.enter], ['b'], ['?'], ['x']]) {
      await app.press(...open);
      await app.waitFor((s) => !s.includes('─ Checklist'), 'another screen');
      frames.push(app.raw());
      await app.press(keys.escape);
      await app.waitForText('─ Checklist');
    }
    for (const frame of frames) expect(frame).not.toMatch(colourCode);
    expect(app.screen()).toContain('[PRODUCTION]');
  });

  it('shows the window timer plain, amber past 80 % of the budget, red past 100 %', async () => {
    const calm = await renderApp(new FixtureEngine({ startedMsAgo: 5.5 * 60_000 }));
    await calm.waitForText('window 5 min');
    expect(styleOf(calm.raw(), 'window 5 min')).not.toMatch(colourCode);
    cleanup();
    const amber = await renderApp(new FixtureEngine({ startedMsAgo: 13.5 * 60_000 }));
    await amber.waitForText('window 13 min');
    expect(styleOf(amber.raw(), 'window 13 min')).toContain('\u001B[33m');
    cleanup();
    const red = await renderApp(new FixtureEngine({ startedMsAgo: 16.5 * 60_000 }));
    await red.waitForText('window 16 min');
    expect(styleOf(red.raw(), 'window 16 min')).toContain('\u001B[31m');
  });
});
