import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driveHeadless } from '../../src/cli/drive-headless.js';
import { type OpenedRun, resumeRun, startRun } from '../../src/engine/open-run.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { runCli, tempStateDir } from '../helpers/run-cli.js';

function windowRunbook(stateDir: string, within: string): string {
  const path = join(stateDir, 'window.yaml');
  writeFileSync(
    path,
    `version: 1
name: window-story
window: { rollback_within: ${within} }
connections:
  db: { embedded: window }
phases:
  - id: main
    steps:
      - id: create
        sql: CREATE TABLE legacy_copy (id int)
        rollback: { sql: DROP TABLE legacy_copy }
      - id: cut-over
        sql: ALTER TABLE legacy_copy ADD COLUMN moved boolean
        point_of_no_return: true
        rollback: { sql: ALTER TABLE legacy_copy DROP COLUMN moved }
`,
  );
  return path;
}

describe('the rollback window', () => {
  let opened: OpenedRun | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('counts from the point of no return: a rollback inside it runs, after it needs a reason, journaled', async () => {
    const stateDir = tempStateDir();
    const clock = new ManualClock(Date.now());
    opened = await startRun(windowRunbook(stateDir, '1h'), { stateDir, vars: {}, env: {}, operator: 'alice', clock });
    const say: string[] = [];
    expect(await driveHeadless(opened.engine, { yes: true, retry: [], markDone: [], say: (t) => say.push(t) })).toBe(0);
    const passed = Date.parse(opened.engine.run.steps['cut-over'].endedAt!);
    expect(opened.engine.pastRollbackWindow()).toBeUndefined();
    await opened.close();

    clock.advance(2 * 3_600_000);
    opened = await resumeRun({
      stateDir,
      vars: {},
      env: {},
      operator: 'alice',
      clock,
      acceptDrift: async () => false,
      purpose: 'rollback',
      warn: () => {},
    });
    const closedAt = new Date(passed + 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    await expect(opened.engine.rollback({})).rejects.toThrow(
      `the rollback window closed at ${closedAt} UTC (1h00m after the point of no return (cut-over))`,
    );
    expect(opened.engine.run.rollback).toBeUndefined();
    await opened.engine.rollback({ pastWindow: { reason: 'CHG-99: the new schema corrupts exports' } });
    expect(opened.engine.run.status).toBe('rolled_back');
    const events = opened.engine.readJournal();
    expect(events.find((e) => e.type === 'rollback.started')).toMatchObject({
      past_window: { closed_at: new Date(passed + 3_600_000).toISOString(), reason: 'CHG-99: the new schema corrupts exports' },
    });
  });

  it('from the command line: exit 2 naming when it closed, then --past-window --reason rolls back and the report says so', async () => {
    const stateDir = tempStateDir();
    // A window of a millisecond has closed by the time any later command starts.
    const rb = windowRunbook(stateDir, '1ms');
    expect((await runCli(['run', rb, '--yes', '--plain'], { stateDir })).exitCode).toBe(0);
    const refused = await runCli(['rollback', '--yes', '--plain'], { stateDir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/the rollback window closed at \d{4}-\d\d-\d\d \d\d:\d\d UTC .*--past-window --reason TEXT/);
    const back = await runCli(['rollback', '--yes', '--plain', '--past-window', '--reason', 'exports broke'], {
      stateDir,
    });
    expect(back.exitCode, back.all).toBe(0);
    const runId = readdirSync(join(stateDir, 'runs'))[0];
    const report = await runCli(['report', runId], { stateDir });
    expect(report.stdout).toMatch(/- Past the rollback window \(closed \S+\): exports broke/);
  }, 120_000);
});
