import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decidePins, sameTarget } from '../../src/engine/pinned-targets.js';
import type { ConnectionIdentity, EventPayload } from '../../src/journal/events.js';
import { FileJournal } from '../../src/journal/file-journal.js';
import { replay } from '../../src/journal/reducer.js';
import { readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

const c1: ConnectionIdentity = {
  driver: 'postgres',
  address: 'postgres://app@db-1:5432/c1',
  database: 'c1',
  database_oid: '16384',
  server_version: '15.8',
  system_identifier: '7301',
};

function stateWith(identity: ConnectionIdentity | undefined, target = c1.address) {
  return replay([
    {
      seq: 1,
      ts: '2026-12-06T02:00:00.000Z',
      prev: '',
      hash: '',
      type: 'run.started',
      run_id: 'r',
      runbook: { path: 'r.yaml', name: 'r', title: 'r', sha256: '' },
      step_hashes: {},
      plan: [],
      operator: 'alice',
      host: 'bastion',
      pid: 1,
      vars: {},
      connections: { db: { target, production: true, embedded: false, identity } },
      version: '0.1.0',
    },
  ])!;
}

describe('deciding whether a connection still points at the run’s target', () => {
  it('passes a failover: another address, the same cluster and database', () => {
    const promoted = { ...c1, address: 'postgres://app@db-2:5432/c1', server_version: '15.9' };
    expect(sameTarget(c1, promoted)).toBe(true);
    expect(decidePins(stateWith(c1), { db: promoted })).toEqual({ pin: {}, retarget: [], unchanged: [] });
  });

  it('refuses another database of the same server, and another server, naming both targets', () => {
    const c2 = { ...c1, address: 'postgres://app@db-1:5432/c2', database: 'c2', database_oid: '16390' };
    const other = { ...c1, system_identifier: '9999' };
    const recreated = { ...c1, database_oid: '17000' };
    for (const live of [c2, other, recreated]) {
      const { refused } = decidePins(stateWith(c1), { db: live });
      expect(refused).toContain(c1.address);
      expect(refused).toContain(`now points at ${live.address}`);
      expect(refused).toContain('--retarget db --reason TEXT');
    }
  });

  it('moves a connection named by --retarget, and only that one', () => {
    const c2 = { ...c1, address: 'postgres://app@db-1:5432/c2', database: 'c2', database_oid: '16390' };
    expect(decidePins(stateWith(c1), { db: c2 }, ['db'])).toEqual({
      pin: {},
      retarget: [{ conn: 'db', from: c1, to: c2 }],
      unchanged: [],
    });
    expect(decidePins(stateWith(c1), { db: c1 }, ['db']).unchanged).toEqual(['db']);
    expect(decidePins(stateWith(c1), { db: c1 }, ['nope']).refused).toContain('no connection nope');
  });

  it('pins a journal written before identities on its first resume, when the address still matches', () => {
    expect(decidePins(stateWith(undefined), { db: c1 }).pin).toEqual({ db: c1 });
    const elsewhere = { ...c1, address: 'postgres://app@db-9:5432/c1' };
    expect(decidePins(stateWith(undefined), { db: elsewhere }).refused).toContain(
      'belongs to postgres://app@db-1:5432/c1 but now points at postgres://app@db-9:5432/c1',
    );
  });

  it('tells embedded databases apart by their data directory', () => {
    const a: ConnectionIdentity = { ...c1, driver: 'pglite', address: 'pglite:/s/pglite/a' };
    expect(sameTarget(a, { ...a })).toBe(true);
    expect(sameTarget(a, { ...a, address: 'pglite:/s/pglite/b' })).toBe(false);
    expect(sameTarget(a, c1)).toBe(false);
  });
});

const runbook = (embedded: string) => `version: 1
name: pinned
connections:
  db: { url: { env: DATABASE_URL }, embedded: ${embedded} }
phases:
  - id: main
    steps:
      - id: create
        sql: CREATE TABLE pinned_rows (id int)
      - id: look
        manual: Look at the table
      - id: fill
        sql: INSERT INTO pinned_rows VALUES (1)
`;

function journalOf(stateDir: string): string {
  return join(stateDir, 'runs', readdirSync(join(stateDir, 'runs'))[0], 'journal.jsonl');
}

describe('a resumed run refuses a connection pointed elsewhere (embedded)', () => {
  it('refuses another data directory with exit 2, and journals nothing', async () => {
    const stateDir = tempStateDir();
    const path = join(stateDir, 'pinned.yaml');
    writeFileSync(path, runbook('first'));
    const first = await runCli(['run', path, '--plain'], { stateDir });
    expect(first.exitCode, first.all).toBe(3);
    const before = readEvents(journalOf(stateDir));
    expect(before[0].connections).toMatchObject({
      db: { identity: { driver: 'pglite', address: `pglite:${join(stateDir, 'pglite', 'first')}` } },
    });
    writeFileSync(path, runbook('second'));
    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir });
    expect(resumed.exitCode, resumed.all).toBe(2);
    expect(resumed.stderr).toContain(`belongs to pglite:${join(stateDir, 'pglite', 'first')}`);
    expect(resumed.stderr).toContain(`now points at pglite:${join(stateDir, 'pglite', 'second')}`);
    expect(readEvents(journalOf(stateDir))).toHaveLength(before.length);
  });
});

describe.skipIf(!testDatabaseUrl)('a resumed run refuses a connection pointed elsewhere (PostgreSQL)', () => {
  let dbs: ScratchDatabase[] = [];
  afterEach(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
    dbs = [];
  });

  it('refuses to resume or roll back on database c2 a run that started on c1; nothing runs on c2', async () => {
    const [db1, db2] = (dbs = await Promise.all([createScratchDatabase('pin'), createScratchDatabase('pin')]));
    const stateDir = tempStateDir();
    const path = join(stateDir, 'pinned.yaml');
    writeFileSync(path, runbook('unused'));
    const first = await runCli(['run', path, '--plain'], { stateDir, env: { DATABASE_URL: db1.url } });
    expect(first.exitCode, first.all).toBe(3);
    const journaled = readEvents(journalOf(stateDir));

    for (const command of [['resume', '--yes'], ['rollback', '--yes']]) {
      const wrong = await runCli([...command, '--plain'], { stateDir, env: { DATABASE_URL: db2.url } });
      expect(wrong.exitCode, wrong.all).toBe(2);
      expect(wrong.stderr).toContain(`belongs to postgres://postgres@127.0.0.1:5432/${db1.name}`);
      expect(wrong.stderr).toContain(`now points at postgres://postgres@127.0.0.1:5432/${db2.name}`);
    }
    expect(readEvents(journalOf(stateDir))).toHaveLength(journaled.length);
    expect(await db2.query('SELECT to_regclass($1) AS t', ['pinned_rows'])).toEqual([{ t: null }]);

    // The same database by another address (as after a failover) is the same target.
    const byName = db1.url.replace('127.0.0.1', 'localhost');
    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir, env: { DATABASE_URL: byName } });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(await db1.query('SELECT id FROM pinned_rows')).toEqual([{ id: 1 }]);
  });

  it('moves on purpose with --retarget and a reason, journaled and on the report', async () => {
    const [db1, db2] = (dbs = await Promise.all([createScratchDatabase('pin'), createScratchDatabase('pin')]));
    const stateDir = tempStateDir();
    const path = join(stateDir, 'pinned.yaml');
    writeFileSync(path, runbook('unused'));
    await runCli(['run', path, '--plain'], { stateDir, env: { DATABASE_URL: db1.url } });
    await db2.query('CREATE TABLE pinned_rows (id int)');
    const env = { DATABASE_URL: db2.url };
    const noReason = await runCli(['resume', '--plain', '--yes', '--retarget', 'db'], { stateDir, env });
    expect(noReason.exitCode).toBe(2);
    expect(noReason.stderr).toContain('--retarget needs --reason');
    const moved = await runCli(
      ['resume', '--plain', '--yes', '--retarget', 'db', '--reason', 'c1 restored as c2 (CHG-7)'],
      { stateDir, env },
    );
    expect(moved.exitCode, moved.all).toBe(0);
    expect(await db2.query('SELECT id FROM pinned_rows')).toEqual([{ id: 1 }]);
    expect(readEvents(journalOf(stateDir)).find((e) => e.type === 'connection.retargeted')).toMatchObject({
      conn: 'db',
      reason: 'c1 restored as c2 (CHG-7)',
      from: { database: db1.name },
      to: { database: db2.name },
    });
    const runId = readdirSync(join(stateDir, 'runs'))[0];
    const report = await runCli(['report', runId], { stateDir });
    expect(report.stdout).toMatch(
      new RegExp(`Retargeted db\\*\\* from \`postgres://postgres@127.0.0.1:5432/${db1.name}\` to \`postgres://postgres@127.0.0.1:5432/${db2.name}\` by tester .*: c1 restored as c2 \\(CHG-7\\)`),
    );
  });

  it('replays a journal written before identities: pinned on the first resume at the same address', async () => {
    const [db1, db2] = (dbs = await Promise.all([createScratchDatabase('pin'), createScratchDatabase('pin')]));
    const stateDir = tempStateDir();
    const path = join(stateDir, 'pinned.yaml');
    writeFileSync(path, runbook('unused'));
    await runCli(['run', path, '--plain'], { stateDir, env: { DATABASE_URL: db1.url } });
    // The same journal as an older stepwise wrote it: no identity in run.started.
    const journal = journalOf(stateDir);
    const events = readEvents(journal);
    rmSync(journal);
    const old = FileJournal.create(journal);
    for (const { seq: _s, ts: _t, prev: _p, hash: _h, ...payload } of events) {
      if (payload.type === 'run.started') delete (payload.connections as { db: { identity?: unknown } }).db.identity;
      old.append(payload as unknown as EventPayload);
    }
    old.close();
    // Nor did an older stepwise anchor its journal in the database.
    await db1.query('DROP SCHEMA stepwise CASCADE');

    const wrong = await runCli(['resume', '--plain', '--yes'], { stateDir, env: { DATABASE_URL: db2.url } });
    expect(wrong.exitCode, wrong.all).toBe(2);
    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir, env: { DATABASE_URL: db1.url } });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(readEvents(journal).find((e) => e.type === 'run.resumed')).toMatchObject({
      pinned: { db: { database: db1.name, driver: 'postgres' } },
    });
  });
});
