import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { stepsDone } from '../../src/journal/run-questions.js';
import { everyStateEngine } from './every-state-fixture.js';
import { FixtureEngine, operator, prepDone, ran } from './fixture-engine.js';
import { keys, renderApp } from './render-app.js';

afterEach(cleanup);

// The checklist part of the row showing `title` (the rules above and below are not rows).
function rowOf(screen: string, title: string): string {
  const lines = screen.split('\n');
  const rule = lines.find((line) => /^[─-] Checklist/.test(line)) ?? '';
  const divider = rule.search(/[┬+]/);
  const row = lines
    .filter((line) => line !== rule)
    .map((line) => line.slice(0, divider))
    .find((left) => left.includes(title));
  if (!row) throw new Error(`no row for ${title} in\n${screen}`);
  return row;
}

describe('the checklist', () => {
  it('marks every step state with its symbol', async () => {
    const app = await renderApp(everyStateEngine(), { columns: 120, rows: 30 });
    const screen = await app.waitForText('step rollback-failed');
    expect(rowOf(screen, 'step pending')).toMatch(/· 1\.1 step pending/);
    expect(rowOf(screen, 'step running')).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] 1\.2 step running/);
    expect(rowOf(screen, 'step succeeded')).toMatch(/✔ 1\.3 step succeeded/);
    expect(rowOf(screen, 'step failed')).toMatch(/✖ 1\.4 step failed/);
    expect(rowOf(screen, 'step skipped')).toMatch(/↷ 1\.5 step skipped/);
    expect(rowOf(screen, 'step interrupted')).toMatch(/! 1\.6 step interrupted/);
    expect(rowOf(screen, 'step rolling-back')).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] 1\.7 step rolling-back/);
    expect(rowOf(screen, 'step rolled-back')).toMatch(/↺ 1\.8 step rolled-back/);
    expect(rowOf(screen, 'step rollback-failed')).toMatch(/✗ 1\.9 step rollback-failed/);
  });

  it('marks every step state with an ASCII symbol when the locale is not UTF-8', async () => {
    const app = await renderApp(everyStateEngine(), { columns: 120, rows: 30, caps: { unicode: false } });
    const screen = await app.waitForText('step rollback-failed');
    expect(rowOf(screen, 'step pending')).toMatch(/\. 1\.1 step pending/);
    expect(rowOf(screen, 'step running')).toMatch(/[|/\\-] 1\.2 step running/);
    expect(rowOf(screen, 'step succeeded')).toMatch(/\+ 1\.3 step succeeded/);
    expect(rowOf(screen, 'step failed')).toMatch(/x 1\.4 step failed/);
    expect(rowOf(screen, 'step skipped')).toMatch(/> 1\.5 step skipped/);
    expect(rowOf(screen, 'step interrupted')).toMatch(/! 1\.6 step interrupted/);
    expect(rowOf(screen, 'step rolled-back')).toMatch(/< 1\.8 step rolled-back/);
    expect(rowOf(screen, 'step rollback-failed')).toMatch(/X 1\.9 step rollback-failed/);
  });

  it('shows each phase with its number, state, done/total and a waiting gate', async () => {
    const engine = new FixtureEngine({ events: [...ran('health'), ...ran('backup')] });
    const app = await renderApp(engine);
    const screen = await app.waitForText('gate: sign-off');
    expect(rowOf(screen, 'Preparation')).toMatch(/1 Preparation\s+gate: sign-off/);
    expect(rowOf(screen, 'Dual-write')).toMatch(/2 Dual-write\s+· 0\/3/);
    expect(rowOf(screen, 'Cutover')).toMatch(/3 Cutover\s+· 0\/4/);
    // The gate is the next thing to do: it is selected and has its own row.
    expect(rowOf(screen, '? gate: sign-off')).toMatch(/›\s+\? gate: sign-off/);
    engine.emit(
      { type: 'gate.signed', phase: 'prep', operator: 'alice', note: '' },
      { type: 'gate.passed', phase: 'prep' },
    );
    const after = await app.waitForText('✔ 2/2');
    expect(rowOf(after, 'Preparation')).toMatch(/1 Preparation\s+✔ 2\/2/);
  });

  it('moves the selection with j/k and the arrows, opening the phase it enters', async () => {
    const app = await renderApp(new FixtureEngine({ events: prepDone }));
    await app.waitFor((s) => /›\s+· 2\.1 Create the queue table/.test(s), 'the next step selected');
    await app.press('j');
    await app.waitFor((s) => /›\s+· 2\.2 Copy tasks/.test(s), 'j moves down');
    await app.press(keys.down, keys.down);
    await app.waitFor(
      (s) => /› 3 Cutover/.test(s) && s.includes('3.1 Stop the legacy scheduler'),
      'down into phase 3',
    );
    expect(app.screen()).not.toContain('2.1 Create the queue table');
    await app.press(keys.up);
    await app.waitFor((s) => /›\s+· 2\.3 Every task/.test(s), 'up to the last step of phase 2');
    await app.press('k', 'k', 'k');
    await app.waitFor((s) => /› 2 Dual-write/.test(s), 'k up to the phase');
    await app.press('k');
    await app.waitFor((s) => /›\s+✔ gate: sign-off/.test(s), 'up again: the gate of phase 1');
    expect(app.screen()).toContain('1.2 Back up the task tables');
  });

  it('follows the step the engine runs until the operator moves the selection', async () => {
    const engine = new FixtureEngine({ events: prepDone });
    const app = await renderApp(engine);
    engine.emit(...ran('create-queue'), {
      type: 'step.started',
      step: 'copy-tasks',
      attempt: 1,
      operator: 'alice',
      log: '',
    });
    engine.setLive({ active: { step: 'copy-tasks', rollback: false, since: Date.now() } });
    await app.waitFor((s) => /›\s+\S 2\.2 Copy tasks/.test(s), 'the running step selected');
    await app.press('k');
    await app.waitFor((s) => /›\s+✔ 2\.1 Create/.test(s), 'the operator moved');
    engine.emit({ type: 'step.succeeded', step: 'copy-tasks', attempt: 1, duration_ms: 5 });
    engine.setLive({ active: undefined });
    await app.waitFor((s) => /✔ 2\.2 Copy tasks/.test(s), 'the step done');
    expect(app.screen()).toMatch(/›\s+✔ 2\.1 Create/);
  });

  it('after a full rollback counts no phase done: its checks were passed over, not kept', async () => {
    const reversed = (step: string) =>
      ({ type: 'step.rolled_back', step, operator, duration_ms: 100, how: 'reversed' }) as const;
    const engine = new FixtureEngine({
      events: [
        ...prepDone,
        ...ran('create-queue'),
        ...ran('copy-tasks'),
        ...ran('counts-match'),
        {
          type: 'rollback.started',
          operator,
          plan: ['counts-match', 'copy-tasks', 'create-queue', 'backup', 'health'],
        },
        reversed('copy-tasks'),
        reversed('create-queue'),
        reversed('backup'),
        { type: 'rollback.finished', complete: true },
        { type: 'run.finished', outcome: 'rolled_back' },
      ],
    });
    const app = await renderApp(engine, { columns: 100, rows: 30 });
    const screen = await app.waitForText('the run is rolled back');
    expect(rowOf(screen, 'Preparation')).toMatch(/1 Preparation\s+↺ 0\/2/);
    expect(rowOf(screen, 'Dual-write')).toMatch(/2 Dual-write\s+↺ 0\/3/);
    expect(rowOf(screen, 'Cutover')).toMatch(/3 Cutover\s+· 0\/4/);
    // The phase detail and `stepwise status` count the same.
    await app.press('g');
    await app.waitFor((s) => /› 1 Preparation/.test(s) && s.includes('0/2 steps done'), 'the phase detail');
    await app.press('j');
    await app.waitForText('passed over by the rollback of alice@bastion at');
    expect(stepsDone(engine.store.getState().run)).toEqual({ done: 0, total: 9 });
  });

  it('shows a step passed over by a rollback without its ✔, and a step the pause stopped as stopped', async () => {
    const engine = new FixtureEngine({
      events: [
        ...ran('health'),
        { type: 'rollback.started', operator, plan: ['health'] },
        { type: 'rollback.finished', complete: true },
        { type: 'run.resumed', operator, host: 'bastion', pid: 2, accepted_drift: [] },
        { type: 'step.started', step: 'backup', attempt: 1, operator, log: '/state/logs/backup.1.log' },
        { type: 'run.paused', reason: 'q pressed', step: 'backup', operator },
        { type: 'step.failed', step: 'backup', attempt: 1, duration_ms: 10, error: 'interrupted: q pressed' },
      ],
    });
    const app = await renderApp(engine, { columns: 100, rows: 30 });
    await app.waitForText('1.2 Back up');
    const screen = app.screen();
    expect(rowOf(screen, '1.1 Server is healthy')).toMatch(/· 1\.1 Server is healthy/);
    expect(rowOf(screen, '1.2 Back up')).toMatch(/! 1\.2 Back up/);
    expect(rowOf(screen, '1.2 Back up')).not.toContain('✖');
  });
});
