import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';

// A runbook that adds a column and fills it, with a soak and a gate two people sign; its demo
// generator seeds the scratch database. `forgetful` leaves the column behind on rollback.
function columnRunbook(dir: string, forgetful = false): string {
  const path = join(dir, 'add-priority.yaml');
  writeFileSync(
    path,
    `version: 1
name: add-priority
window: { budget: 15m }
connections:
  app: { url: { env: DATABASE_URL }, embedded: rehearse-app }
demo:
  text: |
    CREATE TABLE tasks (id int PRIMARY KEY, title text);
    INSERT INTO tasks SELECT g, 'task ' || g FROM generate_series(1, 500) AS g;
phases:
  - id: change
    steps:
      - id: add-column
        sql: "SET LOCAL lock_timeout = '5s'; ALTER TABLE tasks ADD COLUMN priority int"
        rollback:
          sql: ${forgetful ? '"SELECT 1"' : `"SET LOCAL lock_timeout = '5s'; ALTER TABLE tasks DROP COLUMN priority"`}
      - id: fill
        backfill:
          from: tasks
          key: id
          batch: 100
          sql: UPDATE tasks SET priority = 0 WHERE id > :lo AND id <= :hi AND priority IS NULL
        rollback: { sql: UPDATE tasks SET priority = NULL WHERE true }
    gate: { signoff: { count: 2 } }
  - id: watch
    steps:
      - id: monitor
        soak:
          for: 24h
          every: 10m
          checks: [{ sql: "SELECT count(*)::int AS n FROM tasks WHERE priority IS NULL", expect: { n: 0 } }]
      - id: cut-over
        point_of_no_return: true
        sql: COMMENT ON COLUMN tasks.priority IS 'in use'
        rollback: { sql: COMMENT ON COLUMN tasks.priority IS NULL }
`,
  );
  return path;
}

describe('stepwise rehearse', () => {
  it('runs forward, rolls back to the very state before, runs forward again, and the forecast learns from it', async () => {
    const stateDir = tempStateDir();
    const runbook = columnRunbook(stateDir);
    const result = await runCli(['rehearse', runbook], { stateDir });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toContain('after the rollback the database equals its state before');
    expect(result.stderr).toContain('rehearsal: passed');
    const runs = readdirSync(join(stateDir, 'runs')).map((id) => readEvents(join(stateDir, 'runs', id, 'journal.jsonl')));
    expect(runs.map((events) => events[0].rehearsal)).toEqual([true, true]);
    // The two-person gate was signed by a stand-in, and the day's soak lasted no time.
    expect(runs[0].filter((e) => e.type === 'gate.signed').map((e) => e.user)).toContain('rehearsal-stand-in-2');
    expect(runs[0].find((e) => e.type === 'step.succeeded' && e.step === 'monitor')?.summary).toBe(
      'held for 0s: 1 evaluation passed',
    );

    const plan = await runCli(['plan', runbook], { stateDir });
    expect(plan.stdout).toMatch(/expected: ~1d 0h in all, by 2 earlier runs, 2 of them rehearsals/);
    expect(plan.stdout).toMatch(/monitor[^\n]*\n {6}expected: soak 1d 0h/);
  }, 180_000);

  it('lists what the rollback left behind and exits 1', async () => {
    const stateDir = tempStateDir();
    const result = await runCli(['rehearse', columnRunbook(stateDir, true), '--soak', '1s'], { stateDir });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr).toContain('the rollback did not restore the database');
    expect(result.stderr).toMatch(/app: only after: column public\.tasks\.priority #3 integer/);
  }, 180_000);

  it('refuses a server connection marked production', async () => {
    const stateDir = tempStateDir();
    const runbook = columnRunbook(stateDir);
    writeFileSync(runbook, readFileSync(runbook, 'utf8').replace('embedded: rehearse-app }', 'embedded: rehearse-app, production: true }'));
    const result = await runCli(['rehearse', runbook, '--database-url', 'postgres://postgres@127.0.0.1:5432/test'], { stateDir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('connection app is marked production: a rehearsal never runs there');
  });
});

describe('the bundled runbooks rehearse cleanly', () => {
  // queue-migration's demo has tasks whose workers died 45 s before seeding: a grace of a second
  // lets its drain step see them as dead at once instead of waiting two minutes.
  const vars: Record<string, string[]> = { 'queue-migration': ['--var', 'heartbeat_grace=1 second'] };
  for (const name of ['generic-task-model', 'v3-consolidation', 'task-tracking', 'queue-migration']) {
    it(`${name}: forward, a full rollback to the state before, forward again`, async () => {
      const stateDir = tempStateDir();
      const runbook = join(import.meta.dirname, '..', '..', 'runbooks', name, 'runbook.yaml');
      const result = await runCli(['rehearse', runbook, '--var', 'demo_rows=500', ...(vars[name] ?? [])], { stateDir });
      expect(result.exitCode, result.all).toBe(0);
      expect(result.stderr).toContain('after the rollback the database equals its state before');
      // These are the runbooks' stories on the embedded database: their backup step says it has
      // no server to dump from and keeps the copies instead.
      const [firstRun] = readdirSync(join(stateDir, 'runs')).sort();
      const dumpLog = await runCli(['log', firstRun, 'dump'], { stateDir });
      expect(dumpLog.stdout).toContain('embedded database: no pg_dump here, the copies in schema');
    }, 180_000);
  }
});
