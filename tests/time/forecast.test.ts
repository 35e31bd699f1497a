import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenedRun, startRun } from '../../src/engine/open-run.js';
import { forecastBasis } from '../../src/engine/forecast/forecast-steps.js';
import { describeRunForecast } from '../../src/journal/forecast/describe-forecast.js';
import { forecastRun } from '../../src/journal/forecast/forecast-run.js';
import { goNoGo } from '../../src/journal/forecast/go-no-go.js';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { addTasks, driveToEnd, forecastRunbook, spendTime } from './forecast-story.js';

describe('the forecast', () => {
  let opened: OpenedRun | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  const open = async (runbook: string, stateDir: string, clock: ManualClock) => {
    opened = await startRun(runbook, { stateDir, vars: {}, env: {}, operator: 'alice@bastion', clock });
    spendTime(opened.engine, clock);
    return opened.engine;
  };

  it('has nothing to go by before the first run, and says to rehearse', async () => {
    const stateDir = tempStateDir();
    const runbook = forecastRunbook(stateDir);
    const forecast = forecastRun(await forecastBasis(await loadRunbook(runbook), stateDir, undefined));
    expect(forecast.runs).toBe(0);
    expect(describeRunForecast(forecast, `stepwise rehearse ${runbook}`)).toBe(
      `no forecast: this runbook has never run here; rehearse it for one (stepwise rehearse ${runbook})`,
    );
  });

  it('forecasts a backfill whose table doubled from two earlier runs, within 10 %, and says go before the point of no return', async () => {
    const stateDir = tempStateDir();
    const runbook = forecastRunbook(stateDir);
    const clock = new ManualClock();
    await addTasks(runbook, stateDir, 1, 2000);
    for (let run = 0; run < 2; run++) {
      const engine = await open(runbook, stateDir, clock);
      expect(await driveToEnd(engine)).toBe(0);
      expect(engine.run.steps['copy-tasks'].durationMs).toBe(2000);
      await engine.rollback({});
      await opened!.close();
      opened = undefined;
    }
    await addTasks(runbook, stateDir, 2001, 4000);

    const engine = await open(runbook, stateDir, clock);
    const basis = engine.store.getState().forecast!;
    const before = forecastRun(basis, engine.run, clock.now());
    const copy = before.steps.find((f) => f.step === 'copy-tasks')!;
    expect(copy).toMatchObject({ basis: 'rate', rows: 4000, samples: 2 });
    expect(before.runs).toBe(2);
    expect(before.nextPointOfNoReturn?.step).toBe('cut-over');

    await engine.runStep('prepare');
    await engine.runStep('copy-tasks');
    const actual = engine.run.steps['copy-tasks'].durationMs!;
    expect(Math.abs(copy.ms! - actual) / actual).toBeLessThan(0.1);

    // Before the point of no return: the rest takes no time here, and rolling back from just
    // after it (prepare, the copy and the cut-over) took 2 s a step in the earlier runs.
    const verdict = goNoGo(basis, engine.run, 'cut-over', clock.now(), `stepwise rehearse ${runbook}`);
    expect(verdict).toEqual({ fits: true, text: 'go: 0s to the end, rollback from here 6s, 15 min left' });
    // With 5 seconds of budget left, the same rollback no longer fits.
    clock.advance(15 * 60_000 - 9_000);
    expect(goNoGo(basis, engine.run, 'cut-over', clock.now(), '').text).toBe(
      'no-go: 0s to the end, rollback from here 6s, 5s left in the window',
    );
  }, 120_000);

  it('keeps no history for a step whose definition changed', async () => {
    const stateDir = tempStateDir();
    const runbook = forecastRunbook(stateDir);
    const clock = new ManualClock();
    await addTasks(runbook, stateDir, 1, 100);
    const engine = await open(runbook, stateDir, clock);
    expect(await driveToEnd(engine)).toBe(0);
    await opened!.close();
    opened = undefined;
    writeFileSync(runbook, readFileSync(runbook, 'utf8').replace('ADD COLUMN moved boolean', 'ADD COLUMN moved bool'));
    const forecast = forecastRun(await forecastBasis(await loadRunbook(runbook), stateDir, undefined));
    expect(forecast.steps.map((f) => [f.step, f.basis])).toEqual([
      ['prepare', 'history'],
      ['copy-tasks', 'rate'],
      ['cut-over', 'none'],
    ]);
    expect(describeRunForecast(forecast, '')).toMatch(/^~\d+(s| min) in all, by 1 earlier run; no history for cut-over$/);

    const plan = await runCli(['plan', runbook], { stateDir });
    expect(plan.exitCode, plan.all).toBe(0);
    expect(plan.stdout).toMatch(/1\.2 copy-tasks {2}\[backfill\][^\n]*\n {6}expected: ~\d+s \(100 rows at the rate of 1 earlier run\)/);
    expect(plan.stdout).toMatch(/2\.1 cut-over[^\n]*\n {6}expected: no history\n/);
    expect(plan.stdout).toMatch(/\nexpected: ~\d+s in all, by 1 earlier run; no history for cut-over$/);
  }, 60_000);
});
