import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { killRun, readEvents, runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { createTarget, type Target, targetKinds } from '../helpers/targets.js';

function runDirOf(stateDir: string): string | undefined {
  const runs = join(stateDir, 'runs');
  return existsSync(runs) ? join(runs, readdirSync(runs)[0]) : undefined;
}

// Polls what the killed process leaves on disk (its journal, its step's log): no timing involved.
// A run that ends before the probe holds fails the story with what it printed.
async function until(probe: () => boolean, run: ReturnType<typeof startCli>): Promise<void> {
  let ended: { exitCode?: number; all?: string } | undefined;
  void run.then((result) => (ended = result));
  while (!probe()) {
    if (ended) throw new Error(`the run ended (exit ${ended.exitCode}) before the test stopped it:\n${ended.all}`);
    await sleep(50);
  }
}

function fileHas(path: string | undefined, text: string): boolean {
  try {
    return path !== undefined && readFileSync(path, 'utf8').includes(text);
  } catch {
    return false;
  }
}

describe.each(targetKinds)('resume --yes after kill -9 on %s', (kind) => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  // On PGlite the executor-level story (tests/backfill/resume-after-kill.test.ts) covers the same
  // checkpoint; three CLI processes each opening PGlite make this one too slow for the suite there.
  it.skipIf(kind === 'pglite')('continues a backfill killed mid-way from its checkpoint, copying every row once', async () => {
    const stateDir = tempStateDir();
    const path = join(stateDir, 'backfill.yaml');
    writeFileSync(
      path,
      `version: 1
name: killed-backfill
connections:
  db: { url: { env: DATABASE_URL }, embedded: killed }
phases:
  - id: main
    steps:
      - id: copy
        backfill:
          conn: db
          from: bf_src
          key: id
          batch: 100
          # Holds the copy after its first batch (the next would grow to the rest) while the test
          # holds its row in bf_hold: kill -9 lands there.
          throttle:
            sql: SELECT ((SELECT count(*) FROM bf_dst) < 100 OR NOT EXISTS (SELECT 1 FROM bf_hold)) AS go
            expect: { go: true }
          sql: INSERT INTO bf_dst SELECT id, v FROM bf_src WHERE id > :lo AND id <= :hi
`,
    );
    target = await createTarget(kind, stateDir, 'killed');
    await target.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
    await target.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
    await target.query('CREATE TABLE bf_hold (id int)');
    await target.query('INSERT INTO bf_hold VALUES (1)');
    await target.query('INSERT INTO bf_src SELECT g, md5(g::text) FROM generate_series(1, 5000) g');

    const child = startCli(['run', path, '--plain'], { stateDir, env: target.env });
    await until(() => fileHas(runDirOf(stateDir) && join(runDirOf(stateDir)!, 'logs', 'copy.1.log'), 'throttled:'), child);
    await killRun(child, stateDir);
    await target.query('DELETE FROM bf_hold');

    const journal = join(runDirOf(stateDir)!, 'journal.jsonl');
    const before = readEvents(journal).filter((e) => e.type === 'batch.committed');
    const last = before.at(-1)!;
    const done = before.reduce((n, b) => n + (b.rows as number), 0);
    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir, env: target.env });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(resumed.stderr).toContain(
      `step copy was interrupted; the backfill continues from its checkpoint after key ${last.hi}, ${done.toLocaleString('en-US')} rows done`,
    );
    const batches = readEvents(journal).filter((e) => e.type === 'batch.committed');
    expect(batches.reduce((n, b) => n + (b.rows as number), 0)).toBe(5000);
    expect(batches.reduce((n, b) => n + (b.skipped as number), 0)).toBe(0);
    const digest = (t: string) =>
      `SELECT count(*)::int AS n, md5(string_agg(id || ':' || v, ',' ORDER BY id)) AS h FROM ${t}`;
    expect(await target.query(digest('bf_dst'))).toEqual(await target.query(digest('bf_src')));
  });

  it('runs a killed wait again without asking: it changes nothing', async () => {
    const stateDir = tempStateDir();
    const path = join(stateDir, 'wait.yaml');
    writeFileSync(
      path,
      `version: 1
name: killed-wait
connections:
  db: { url: { env: DATABASE_URL }, embedded: waited }
phases:
  - id: main
    steps:
      - id: ready
        wait:
          sql: SELECT count(*)::int AS n FROM wait_go
          until: { n: 1 }
          every: 1s
          timeout: 10m
`,
    );
    target = await createTarget(kind, stateDir, 'waited');
    mkdirSync(join(stateDir, 'pglite', 'waited'), { recursive: true });
    await target.query('CREATE TABLE wait_go (id int)');
    const child = startCli(['run', path, '--plain'], { stateDir, env: target.env });
    await until(() => fileHas(runDirOf(stateDir) && join(runDirOf(stateDir)!, 'journal.jsonl'), '"step.started"'), child);
    await killRun(child, stateDir);
    await target.query('INSERT INTO wait_go VALUES (1)');

    const resumed = await runCli(['resume', '--plain'], { stateDir, env: target.env });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(resumed.stderr).toContain('step ready was interrupted; running it again');
    const events = readEvents(join(runDirOf(stateDir)!, 'journal.jsonl'));
    expect(events.filter((e) => e.type === 'step.started')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', outcome: 'succeeded' });
  });
});
