import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS } from '../../src/journal/journal.js';
import { migrate } from '../../src/store/migrate.js';
import { RunStore } from '../../src/store/run-store.js';
import { openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testDatabaseUrl } from '../helpers/scratch-database.js';
import { grantTeamRoles, type TeamRoles } from '../helpers/team-roles.js';

describe.skipIf(!testDatabaseUrl)('the stepwise schema with the README grants', () => {
  const nobody = `sw_nobody_${randomBytes(3).toString('hex')}`;
  let db: TestDatabase;
  let roles: TeamRoles;
  let names: TeamRoles['names'];
  const sessions: postgres.Sql[] = [];
  const as = (role: string) => {
    const sql = postgres(roles.url(role), { max: 1, onnotice: () => {}, connection: { statement_timeout: 10_000 } });
    sessions.push(sql);
    return sql;
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await migrate(db.conn);
    const store = new RunStore(db.conn);
    await store.createRun({ runId: 'r1', runbook: 'orders', host: 'bastion-a' });
    await store.takeLease('r1', { engineId: 'engine-a', host: 'bastion-a', pid: 1 }, 60_000);
    const hash = 'a'.repeat(64);
    await store.append({ runId: 'r1', seq: 1, line: '{"seq":1}', type: 'run.started', ts: '2026-12-06T10:00:00.000Z', prev: GENESIS, hash, engineId: 'engine-a' });
    roles = await grantTeamRoles(db.url!, (statement) => db.conn.query(statement));
    names = roles.names;
    await db.conn.query(`CREATE ROLE ${nobody} LOGIN`);
  });

  afterAll(async () => {
    for (const sql of sessions) await sql.end({ timeout: 1 });
    await db?.close();
    await roles?.drop();
    const admin = postgres(testDatabaseUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP ROLE IF EXISTS ${nobody}`);
    await admin.end({ timeout: 1 });
  });

  it('a role without rights can neither read, append nor rewrite the journal', async () => {
    const sql = as(nobody);
    await expect(sql`SELECT line FROM stepwise.events`).rejects.toMatchObject({ code: '42501' });
    await expect(
      sql`INSERT INTO stepwise.events (run_id, seq, line, type, ts, prev, hash, engine_id)
          VALUES ('r1', 2, '{}', 'run.paused', now(), ${'a'.repeat(64)}, ${'b'.repeat(64)}, 'engine-a')`,
    ).rejects.toMatchObject({ code: '42501' });
    await expect(sql`UPDATE stepwise.events SET line = '{}'`).rejects.toMatchObject({ code: '42501' });
    await expect(sql`INSERT INTO stepwise.intents (run_id, body, client_role, os_user, host) VALUES ('r1', '{}', 'operator', 'x', 'h')`).rejects.toMatchObject({ code: '42501' });
  });

  it("an operator's role asks and approves through intents as itself, but rewrites nothing", async () => {
    const alice = as(names.alice);
    await expect(alice`UPDATE stepwise.events SET line = '{}' WHERE seq = 1`).rejects.toMatchObject({ code: '42501' });
    await expect(alice`DELETE FROM stepwise.events`).rejects.toMatchObject({ code: '42501' });
    // Appending is allowed to the engine holding the lease only.
    await expect(
      alice`INSERT INTO stepwise.events (run_id, seq, line, type, ts, prev, hash, engine_id)
            VALUES ('r1', 2, '{}', 'run.paused', now(), ${'a'.repeat(64)}, ${'b'.repeat(64)}, 'engine-x')`,
    ).rejects.toMatchObject({ code: 'SW001' });

    // Claiming another role in the row changes nothing: the row names the connection's role.
    const [asked] = await alice`
      INSERT INTO stepwise.intents (run_id, body, client_role, os_user, host, requested_by, answer)
      VALUES ('r1', ${alice.json({ type: 'intent', body: { intent: 'signGate', phase: 'one', note: '' } })}, 'operator', 'alice', 'bastion-b', 'postgres', 'done')
      RETURNING id, requested_by, answer`;
    expect(asked).toMatchObject({ requested_by: names.alice, answer: null });
    await expect(alice`UPDATE stepwise.intents SET body = '{}' WHERE id = ${asked.id}`).rejects.toMatchObject({ code: '42501' });
    await expect(alice`UPDATE stepwise.intents SET answer = 'done', requested_by = 'postgres' WHERE id = ${asked.id}`).rejects.toMatchObject({ code: '42501' });
    await alice`UPDATE stepwise.intents SET answer = 'refused', message = 'not yet' WHERE id = ${asked.id}`;
    await expect(alice`UPDATE stepwise.intents SET answer = 'done', message = NULL WHERE id = ${asked.id}`).rejects.toMatchObject({ code: 'SW003' });
    await expect(alice`DELETE FROM stepwise.intents`).rejects.toMatchObject({ code: '42501' });
    const [row] = await db.conn.query<{ answer: string; answered_by: string }>('SELECT answer, answered_by FROM stepwise.intents').then((r) => r.rows);
    expect(row).toEqual({ answer: 'refused', answered_by: names.alice });
    // Not even the schema's owner changes a question once asked.
    await expect(db.conn.query("UPDATE stepwise.intents SET os_user = 'mallory'")).rejects.toMatchObject({ code: 'SW003' });
  });

  it("a watcher's role reads the run and asks, but never journals", async () => {
    const watcher = as(names.carol);
    expect(await watcher`SELECT seq FROM stepwise.events`).toHaveLength(1);
    await watcher`INSERT INTO stepwise.intents (run_id, body, client_role, os_user, host) VALUES ('r1', '{}', 'watcher', 'carol', 'h')`;
    await expect(
      watcher`INSERT INTO stepwise.events (run_id, seq, line, type, ts, prev, hash, engine_id)
              VALUES ('r1', 2, '{}', 'run.paused', now(), ${'a'.repeat(64)}, ${'b'.repeat(64)}, 'engine-a')`,
    ).rejects.toMatchObject({ code: '42501' });
    await expect(watcher`UPDATE stepwise.intents SET answer = 'done'`).rejects.toMatchObject({ code: '42501' });
  });

  it('a front end says it is attached as its own role, and renews and removes only its own row', async () => {
    const watcher = as(names.carol);
    const alice = as(names.alice);
    await expect(as(nobody)`INSERT INTO stepwise.clients (run_id, client_role, os_user, host) VALUES ('r1', 'watcher', 'x', 'h')`).rejects.toMatchObject({ code: '42501' });
    const [carols] = await watcher`
      INSERT INTO stepwise.clients (run_id, client_role, os_user, host, db_role) VALUES ('r1', 'watcher', 'carol', 'bastion-c', ${names.alice})
      RETURNING id, db_role`;
    expect(carols.db_role).toBe(names.carol);
    const [alices] = await alice`INSERT INTO stepwise.clients (run_id, client_role, os_user, host) VALUES ('r1', 'operator', 'alice', 'bastion-b') RETURNING id`;

    // Another role's row is neither renewed nor removed; nothing but seen_at changes, never ahead of now.
    expect((await alice`UPDATE stepwise.clients SET seen_at = now() WHERE id = ${carols.id}`).count).toBe(0);
    expect((await alice`DELETE FROM stepwise.clients WHERE id = ${carols.id}`).count).toBe(0);
    await expect(watcher`UPDATE stepwise.clients SET host = 'elsewhere' WHERE id = ${carols.id}`).rejects.toMatchObject({ code: '42501' });
    await watcher`UPDATE stepwise.clients SET seen_at = now() + interval '1 day' WHERE id = ${carols.id}`;
    const [seen] = await watcher`SELECT seen_at <= now() AS ok FROM stepwise.clients WHERE id = ${carols.id}`;
    expect(seen.ok).toBe(true);

    expect(await watcher`SELECT os_user FROM stepwise.clients ORDER BY id`).toEqual([{ os_user: 'carol' }, { os_user: 'alice' }]);
    expect((await watcher`DELETE FROM stepwise.clients WHERE id = ${carols.id}`).count).toBe(1);
    expect((await alice`DELETE FROM stepwise.clients WHERE id = ${alices.id}`).count).toBe(1);
  });
});
