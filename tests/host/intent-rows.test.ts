import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbRunClient } from '../../src/client/db-run-client.js';
import { openPostgres } from '../../src/db/postgres-connection.js';
import { type OpenedRun, startRun } from '../../src/engine/open-run.js';
import { EngineServer } from '../../src/host/engine-server.js';
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
  const stop: Array<() => Promise<void>> = [];

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
    writeFileSync(runbook, 'version: 1\nname: rows\nphases:\n  - id: one\n    steps:\n      - id: first\n        run: [echo, hello]\n');
    opened = await startRun(runbook, { stateDir, vars: {}, env: {}, operator: 'ana' });
    const runId = opened.engine.run.runId;
    const store = new RunStore(db.conn);
    await store.createRun({ runId, runbook: 'rows', host: 'host-a' });
    await store.takeLease(runId, { engineId: 'engine-a', host: 'host-a', pid: process.pid }, 600_000);
    const rows = new IntentRows(db.conn);
    const left = await rows.ask({ runId, body: { type: 'intent', body: { intent: 'cancel' } }, clientRole: 'operator', osUser: 'ana', host: 'host-b' });

    const server = new EngineServer({
      engine: opened.engine,
      runId,
      socketPath: join(stateDir, 'unused.sock'),
      proofDir: join(stateDir, 'clients'),
      log: () => {},
      onChange: () => {},
      driveEnded: async () => {},
    });
    const conn = await openPostgres(db.url!, { applicationName: 'engine under test' });
    stop.push(() => conn.close());
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
});
