import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

const runbook = `version: 1
name: lost-connection
connections:
  db: { url: { env: DATABASE_URL } }
phases:
  - id: main
    steps:
      - id: slow
        sql: SELECT pg_sleep(600)
`;

describe.skipIf(!testDatabaseUrl)('the server goes away under a running step', () => {
  let db: ScratchDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('fails the step with one clear sentence, never a stack trace', async () => {
    db = await createScratchDatabase('lost');
    const stateDir = tempStateDir();
    const path = join(stateDir, 'lost.yaml');
    writeFileSync(path, runbook);
    const child = startCli(['run', path, '--plain', '--yes'], { stateDir, env: { DATABASE_URL: db.url } });
    const running = () =>
      db!.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(600)'");
    while ((await running()).length === 0) await sleep(50);
    // What a restart does to the run's sessions: every one of them is terminated.
    await db.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'stepwise %'",
    );
    const ended = await child;
    expect(ended.exitCode, ended.all).toBe(1);
    expect(ended.all).toContain('lost');
    expect(ended.stderr).toMatch(/step slow failed: \S*lost.yaml:8:9: the connection to the server was lost/);
    expect(ended.all).not.toContain('TypeError');
    expect(ended.all).not.toMatch(/\n\s+at /);
  });
});
