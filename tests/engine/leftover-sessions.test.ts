import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { openConnections } from '../../src/db/open-connections.js';
import { endLeftoverSessions } from '../../src/db/end-leftover-sessions.js';
import { sessionTag } from '../../src/db/session-tag.js';
import { killRun, readEvents, runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

const runbook = `version: 1
name: long-statement
connections:
  db: { url: { env: DATABASE_URL } }
phases:
  - id: main
    steps:
      - id: build
        sql: SELECT pg_sleep(3600)
`;

async function sessionsRunning(db: ScratchDatabase, query: string) {
  return db.query<{ pid: number; application_name: string }>(
    'SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database() AND query = $1',
    [query],
  );
}

describe.skipIf(!testDatabaseUrl)('what a killed run left on the server', () => {
  let db: ScratchDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('every session of a run carries its tag, and a later attempt ends the sessions of the earlier one, not those of another bastion\'s run of the same id', async () => {
    db = await createScratchDatabase('left');
    const origin = { host: 'bastion-a', pid: 4242 };
    const first = sessionTag('long-statement-20261206T120000Z', 1, 'alice@bastion', origin);
    const second = sessionTag('long-statement-20261206T120000Z', 2, 'alice@bastion', origin);
    const other = sessionTag('long-statement-20261206T120001Z', 1, 'alice@bastion', origin);
    // Another bastion's run that took the same id in the same second.
    const twin = sessionTag('long-statement-20261206T120000Z', 1, 'bob@bastion', { host: 'bastion-b', pid: 4242 });
    const dead = postgres(db.url, { max: 1, onnotice: () => {}, connection: { application_name: first.own } });
    const stranger = postgres(db.url, { max: 1, onnotice: () => {}, connection: { application_name: other.own } });
    const sleeping = dead.unsafe('SELECT pg_sleep(600)').catch((error: Error) => error);
    const bystander = stranger.unsafe('SELECT pg_sleep(600)').catch((error: Error) => error);
    const sibling = postgres(db.url, { max: 1, onnotice: () => {}, connection: { application_name: twin.own } });
    const sibling600 = sibling.unsafe('SELECT pg_sleep(600)').catch((error: Error) => error);
    while ((await sessionsRunning(db, 'SELECT pg_sleep(600)')).length < 3) await sleep(20);
    const { db: conn } = await openConnections({
      connections: { db: { url: db.url } },
      stateDir: tempStateDir(),
      env: {},
      applicationName: second.own,
    });
    try {
      const {
        rows: [own],
      } = await conn.query<{ app: string; timeout: string }>(
        "SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS timeout",
      );
      expect(own).toEqual({ app: second.own, timeout: '1h' });
      const ended = await endLeftoverSessions(conn, second);
      expect(ended).toEqual([
        expect.objectContaining({ application_name: first.own, state: 'active', query: 'SELECT pg_sleep(600)' }),
      ]);
      expect(await sleeping).toBeInstanceOf(Error);
      const left = await sessionsRunning(db, 'SELECT pg_sleep(600)');
      expect(left.map((s) => s.application_name).sort()).toEqual([other.own, twin.own].sort());
    } finally {
      await conn.close();
      await db.query('SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name IN ($1, $2)', [other.own, twin.own]);
      await Promise.all([bystander, sibling600]);
      await Promise.all([dead.end({ timeout: 1 }), stranger.end({ timeout: 1 }), sibling.end({ timeout: 1 })]);
    }
  });

  it('resume ends a long statement of the run killed with kill -9 before it settles the step', async () => {
    db = await createScratchDatabase('left');
    const stateDir = tempStateDir();
    const path = join(stateDir, 'long.yaml');
    writeFileSync(path, runbook);
    const env = { DATABASE_URL: db.url };
    const child = startCli(['run', path, '--plain'], { stateDir, env });
    while ((await sessionsRunning(db, 'SELECT pg_sleep(3600)')).length === 0) await sleep(50);
    await killRun(child, stateDir);

    const resumed = await runCli(['resume', '--plain'], { stateDir, env });
    expect(resumed.exitCode, resumed.all).toBe(3);
    expect(resumed.stderr).toContain('step build was interrupted');
    expect(await sessionsRunning(db, 'SELECT pg_sleep(3600)')).toEqual([]);
    const events = readEvents(join(stateDir, 'runs', readdirSync(join(stateDir, 'runs'))[0], 'journal.jsonl'));
    expect(events.filter((e) => e.type === 'run.resumed')).toHaveLength(1);
  });
});
