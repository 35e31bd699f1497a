import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { ForecastBasis } from '../../src/journal/forecast/forecast-run.js';
import { historyKey } from '../../src/journal/forecast/step-history.js';
import { FixtureEngine } from './fixture-engine.js';
import { keys, renderApp } from './render-app.js';

afterEach(cleanup);

const cutover = {
  version: 1,
  name: 'cutover',
  window: { budget: '15m' },
  connections: { app: { url: 'postgres://app@db:5432/app' } },
  phases: [
    {
      id: 'main',
      steps: [
        {
          id: 'copy',
          title: 'Copy the tasks',
          sql: { conn: 'app', text: 'INSERT INTO queue SELECT * FROM tasks' },
          rollback: { sql: { conn: 'app', text: 'DELETE FROM queue WHERE true' } },
        },
        {
          id: 'flip',
          title: 'Read from the queue',
          point_of_no_return: true,
          sql: { conn: 'app', text: "UPDATE flags SET on = true WHERE name = 'queue'" },
          rollback: { sql: { conn: 'app', text: "UPDATE flags SET on = false WHERE name = 'queue'" } },
        },
        {
          id: 'archive',
          title: 'Archive the legacy table',
          sql: { conn: 'app', text: 'ALTER TABLE tasks RENAME TO archived_tasks' },
          rollback: { sql: { conn: 'app', text: 'ALTER TABLE archived_tasks RENAME TO tasks' } },
        },
      ],
    },
  ],
};

const minute = 60_000;

// Two earlier runs: the copy took 4 minutes, the flip 1, the archive 1; rolling each back 3.
const basis: ForecastBasis = {
  steps: ['copy', 'flip', 'archive'].map((id) => ({
    id,
    kind: 'sql',
    hash: `h-${id}`,
    pointOfNoReturn: id === 'flip',
    undoable: true,
  })),
  history: {
    runs: 2,
    rehearsals: 1,
    forward: {
      [historyKey('copy', 'h-copy')]: [{ ms: 4 * minute }, { ms: 4 * minute }],
      [historyKey('flip', 'h-flip')]: [{ ms: minute }],
      [historyKey('archive', 'h-archive')]: [{ ms: minute }],
    },
    rollback: {
      [historyKey('copy', 'h-copy')]: [3 * minute],
      [historyKey('flip', 'h-flip')]: [3 * minute],
      [historyKey('archive', 'h-archive')]: [3 * minute],
    },
  },
};

describe('the forecast on screen', () => {
  it('shows the time to the end and to the point of no return beside the window timer', async () => {
    const engine = new FixtureEngine({ runbook: cutover, startedMsAgo: 60_000 });
    engine.store.setState({ forecast: basis });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    const screen = await app.waitForText('end ~6 min');
    expect(screen).toMatch(/end ~6 min · no return in ~4 min {2}window [01] min \/ 15 min/);
  });

  it('before the point of no return, the dialog says whether finishing and a rollback still fit', async () => {
    const engine = new FixtureEngine({
      runbook: cutover,
      startedMsAgo: 5 * minute,
      events: [
        { type: 'step.started', step: 'copy', attempt: 1, operator: 'alice@bastion', log: '' },
        { type: 'step.succeeded', step: 'copy', attempt: 1, duration_ms: 4 * minute },
      ],
    });
    engine.store.setState({ forecast: basis });
    const app = await renderApp(engine, { columns: 120, rows: 30 });
    await app.waitForText('Read from the queue');
    await app.press(keys.enter);
    // 2 min to the end; a rollback of the copy and the flip 6 min; about 10 min of the 15 left.
    const dialog = await app.waitForText('rollback from here');
    expect(dialog).toMatch(/go: 2 min to the end, rollback from here 6 min, 10 min left/);
  });
});
