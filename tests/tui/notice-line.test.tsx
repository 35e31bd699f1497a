import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FixtureEngine, prepDone, ran, started } from './fixture-engine.js';
import { keys, renderApp } from './render-app.js';

afterEach(cleanup);

// The backfill 2.2 running, as the engine shows it.
function copyRunning(): FixtureEngine {
  const engine = new FixtureEngine({ events: [...prepDone, ...ran('create-queue'), started('copy-tasks')] });
  engine.setLive({ active: { step: 'copy-tasks', rollback: false, since: Date.now() } });
  return engine;
}

function copyEnds(engine: FixtureEngine): void {
  engine.emit({ type: 'step.succeeded', step: 'copy-tasks', attempt: 1, duration_ms: 5000, rows: 10_000 });
  engine.setLive({ active: undefined });
}

describe('the notice line', () => {
  it('drops the answer to a backfill key when the backfill ends', async () => {
    const engine = copyRunning();
    const app = await renderApp(engine);
    await app.waitForText('p pause');
    await app.press('-');
    await app.waitForText('batch size 2,500 rows from the next batch');
    copyEnds(engine);
    await app.waitFor((s) => !s.includes('batch size 2,500'), 'the notice gone with the step');
    expect(app.screen()).toMatch(/✔ 2\.2 Copy tasks into the queue/);
  });

  it('drops "it is running: wait for it" when the step ends', async () => {
    const engine = copyRunning();
    const app = await renderApp(engine);
    await app.waitForText('p pause');
    await app.press('x');
    await app.waitForText('2.2 Copy tasks into the queue is running: wait for it');
    copyEnds(engine);
    await app.waitFor((s) => !s.includes('is running: wait for it'), 'the notice gone with the step');
  });

  it('keeps an answer that is not about a running step until the next key', async () => {
    const app = await renderApp(new FixtureEngine({ events: prepDone }));
    await app.waitForText('2.1 Create the queue table');
    await app.press('j', keys.enter);
    await app.waitForText('2.2 Copy tasks into the queue is not next');
    await app.press('k');
    await app.waitFor((s) => !s.includes('is not next'), 'the notice gone at the next key');
  });
});
