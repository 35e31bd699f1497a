import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbRunClient } from '../../src/client/db-run-client.js';
import type { JournalEvent } from '../../src/journal/events.js';
import { openPostgres } from '../../src/db/postgres-connection.js';
import { type OpenedRun, startRun } from '../../src/engine/open-run.js';
import { EngineServer } from '../../src/host/engine-server.js';
import { followRemoteClients } from '../../src/host/follow-remote-clients.js';
import { publishEngineView } from '../../src/host/publish-engine-view.js';
import { serveIntentRows } from '../../src/host/serve-intent-rows.js';
import { EngineViews } from '../../src/store/engine-views.js';
import { IntentRows } from '../../src/store/intent-rows.js';
import { migrate } from '../../src/store/migrate.js';
import { RunStore } from '../../src/store/run-store.js';
import { openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { testDatabaseUrl } from '../helpers/scratch-database.js';
import { grantTeamRoles, type TeamRoles } from '../helpers/team-roles.js';

// The engine's side of intents from other hosts: each row goes through the engine server's one
// dispatch, exactly as a socket client's request, and who may act is decided by the database role.
describe.skipIf(!testDatabaseUrl)('intent rows served by a run engine', () => {
  let db: TestDatabase;
  let roles: TeamRoles;
  let opened: OpenedRun;
  let server: EngineServer;
  const stop: Array<() => Promise<void>> = [];
  // Resolves once `ok()` holds, checked whenever the engine server says something changed.
  const changed: Array<() => void> = [];
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((resolve) => changed.push(resolve));
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await migrate(db.conn);
    roles = await grantTeamRoles(db.url!, (statement) => db.conn.query(statement));
  });
  afterAll(async () => {
    for (const s of stop) await s();
    await opened?.close();
    await db?.close();
    await roles?.drop();
  });

  it('answers in the row what the engine answers, refuses a watching role and what an engine before it left', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'rb.yaml');
    writeFileSync(
      runbook,
      'version: 1\nname: rows\nphases:\n  - id: one\n    steps:\n      - id: first\n        run: [echo, hello]\n      - id: second\n        run: [echo, again]\n',
    );
    opened = await startRun(runbook, { stateDir, vars: {}, env: {}, operator: 'ana' });
    const runId = opened.engine.run.runId;
    const store = new RunStore(db.conn);
    await store.createRun({ runId, runbook: 'rows', host: 'host-a' });
    await store.takeLease(runId, { engineId: 'engine-a', host: 'host-a', pid: process.pid }, 600_000);
    const rows = new IntentRows(db.conn);
    const left = await rows.ask({ runId, body: { type: 'intent', body: { intent: 'cancel' } }, clientRole: 'operator', osUser: 'ana', host: 'host-b' });

    server = new EngineServer({
      engine: opened.engine,
      runId,
      socketPath: join(stateDir, 'unused.sock'),
      proofDir: join(stateDir, 'clients'),
      log: () => {},
      onChange: () => {
        for (const resolve of changed.splice(0)) resolve();
      },
      driveEnded: async () => {},
    });
    const conn = await openPostgres(db.url!, { applicationName: 'engine under test' });
    stop.push(() => conn.close());
    stop.unshift(await followRemoteClients({ conn, runId, server, log: () => {} }));
    stop.unshift(await serveIntentRows({ conn, runId, server, log: () => {} }));
    stop.unshift(await publishEngineView({ conn, runId, engine: { engineId: 'engine-a', host: 'host-a' }, server, log: () => {} }));
    expect(await rows.answerOf(left)).toMatchObject({ answer: 'refused', message: expect.stringContaining('ask again') });
    expect((await new EngineViews(db.conn).read(runId))?.view).toMatchObject({ numbers: { first: '1.1' } });

    const as = async (role: string, clientRole: 'operator' | 'watcher') =>
      DbRunClient.connect({ conn: await openPostgres(roles.url(role), { applicationName: role }), runId, role: clientRole, env: { STEPWISE_HOST_ID: 'host-b' } });
    const alice = await as(roles.names.alice, 'operator');
    const carol = await as(roles.names.carol, 'operator');
    await expect(alice.request({ intent: 'skip', step: 'first', reason: '' })).rejects.toThrow('a skip needs a reason');
    await expect(carol.request({ intent: 'runStep', step: 'first' })).rejects.toThrow(
      `runStep refused: database role ${roles.names.carol} may not add to the run's journal, so it may only watch`,
    );
    expect(await carol.request({ intent: 'rollbackPlan' })).toMatchObject({ items: [] });
    expect(await alice.logPage('first', {}, 10)).toBeUndefined();
    await alice.request({ intent: 'runStep', step: 'first' });
    expect(opened.engine.run.steps.first.status).toBe('succeeded');
    expect(await alice.logPage('first', {}, 10)).toMatchObject({ lines: ['hello'] });
    alice.close();
    carol.close();
  });

  it('counts a front end attached through the database among its clients, sums up for it what happened meanwhile and says to it what a socket client hears', async () => {
    const runId = opened.engine.run.runId;
    await until(() => server.clients === 0);
    // Nobody attached: what the engine does now is for the next one's summary.
    await opened.engine.runStep('second');

    const alice = roles.names.alice;
    const client = await DbRunClient.connect({
      conn: await openPostgres(roles.url(alice), { applicationName: alice }),
      runId,
      role: 'operator',
      display: 'Alice',
      env: { STEPWISE_HOST_ID: 'host-b' },
    });
    await until(() => server.clients === 1);
    expect(server.attached()).toEqual([{ user: alice, display: 'Alice', role: 'operator', host: 'host-b', throughDatabase: true }]);

    let unattended: JournalEvent[] = [];
    const said: string[] = [];
    await client.subscribe(
      { view: () => {}, event: () => {}, snapshot: (s) => (unattended = s.unattended), say: (text) => said.push(text) },
      0,
      true,
    );
    expect(unattended.map((e) => [e.type, 'step' in e ? e.step : undefined])).toContainEqual(['step.succeeded', 'second']);
    expect(unattended.some((e) => 'step' in e && e.step === 'first')).toBe(false);
    // A headless rollback without --yes only says its plan: to the client that asked, before the answer.
    await client.request({ intent: 'driveRollback', yes: false });
    expect(said[0]).toBe(`Rollback plan for ${runId}:`);
    expect(said.at(-1)).toBe('run again with --yes to roll back, or use the TUI');

    // A client that stopped saying it is there (killed, cut off) no longer counts once its row is old.
    await db.conn.query("UPDATE stepwise.clients SET seen_at = now() - interval '1 minute' WHERE run_id = $1", [runId]);
    await until(() => server.clients === 0);
    client.close();
    await client.ended;
    const { rows } = await db.conn.query('SELECT id FROM stepwise.clients WHERE run_id = $1', [runId]);
    expect(rows).toEqual([]);
  });
});
