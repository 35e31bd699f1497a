import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { driveHeadless } from '../../src/cli/drive-headless.js';
import { openConnections } from '../../src/db/open-connections.js';
import type { Engine } from '../../src/engine/engine.js';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import type { ManualClock } from '../helpers/manual-clock.js';

// A copy of `tasks` into `tasks_copy` by a backfill, then a point of no return, on the embedded
// database. Every step has a rollback, so each run can be rolled back and run again.
export function forecastRunbook(dir: string): string {
  const path = join(dir, 'forecast.yaml');
  writeFileSync(
    path,
    `version: 1
name: forecast-story
window: { budget: 15m }
connections:
  db: { embedded: forecast }
phases:
  - id: copy
    steps:
      - id: prepare
        sql: CREATE TABLE tasks_copy (id int PRIMARY KEY)
        rollback: { sql: DROP TABLE tasks_copy }
      - id: copy-tasks
        backfill:
          from: tasks
          key: id
          batch: 500
          sql: INSERT INTO tasks_copy SELECT id FROM tasks WHERE id > :lo AND id <= :hi ON CONFLICT (id) DO NOTHING
        rollback: { sql: DELETE FROM tasks_copy WHERE true }
  - id: switch
    steps:
      - id: cut-over
        point_of_no_return: true
        sql: ALTER TABLE tasks_copy ADD COLUMN moved boolean
        rollback: { sql: ALTER TABLE tasks_copy DROP COLUMN moved }
`,
  );
  return path;
}

// Adds rows to `tasks` (created on the first call) while no run holds the embedded database, and
// analyzes it as autovacuum would on a server.
export async function addTasks(runbook: string, stateDir: string, from: number, to: number): Promise<void> {
  const loaded = await loadRunbook(runbook);
  const { db } = await openConnections({ connections: loaded.runbook.connections, stateDir, env: {} });
  try {
    await db.query('CREATE TABLE IF NOT EXISTS tasks (id int PRIMARY KEY)');
    await db.query('INSERT INTO tasks SELECT generate_series($1::int, $2::int)', [from, to]);
    await db.query('ANALYZE tasks');
  } finally {
    await db.close();
  }
}

// Time as this story's machine spends it, whatever the real machine's speed: a committed batch
// costs one millisecond per row it went through, a rollback step two seconds.
export function spendTime(engine: Engine, clock: ManualClock): void {
  engine.onEvent((e) => {
    if (e.type === 'batch.committed') clock.advance(e.rows + e.skipped);
    if (e.type === 'step.started' && e.rollback) clock.advance(2000);
  });
}

export function driveToEnd(engine: Engine): Promise<number> {
  return driveHeadless(engine, { yes: true, retry: [], markDone: [], say: () => {} });
}
