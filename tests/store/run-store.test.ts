import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS } from '../../src/journal/journal.js';
import { migrate } from '../../src/store/migrate.js';
import { RunStore } from '../../src/store/run-store.js';
import { goneHere } from '../../src/store/take-run.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';

const a = { engineId: 'engine-a', host: 'bastion-a', pid: 101 };
const b = { engineId: 'engine-b', host: 'bastion-b', pid: 202 };

function row(seq: number, prev: string, engineId: string) {
  const hash = `${String(seq).padStart(2, '0')}${'f'.repeat(62)}`;
  return { runId: 'r1', seq, line: `{"seq":${seq}}`, type: 'step.started', ts: '2026-12-06T10:00:00.000Z', prev, hash, engineId };
}

describe.each(databaseKinds)('the stepwise schema on %s fences appends', (kind) => {
  let db: TestDatabase;
  let store: RunStore;
  beforeAll(async () => {
    if (noServer(kind)) return;
    db = await openTestDatabase(kind);
    await migrate(db.conn);
    store = new RunStore(db.conn);
    await store.createRun({ runId: 'r1', runbook: 'orders', host: 'bastion-a' });
  });
  afterAll(async () => db?.close());

  it.skipIf(noServer(kind))('lets only the lease holder append the next event of the chain, and nobody rewrite one', async () => {
    await expect(store.append(row(1, GENESIS, a.engineId))).rejects.toMatchObject({ code: 'SW001' });
    expect(await store.takeLease('r1', a, 30_000)).toEqual({ taken: true, previous: undefined });
    await store.append(row(1, GENESIS, a.engineId));
    const first = (await store.head('r1')).hash!;
    await expect(store.append(row(3, first, a.engineId))).rejects.toMatchObject({ code: 'SW002' });
    await expect(store.append(row(2, GENESIS, a.engineId))).rejects.toMatchObject({ code: 'SW002' });
    await store.append(row(2, first, a.engineId));

    // Host B cannot take a lease that has not expired; once it has, B takes it and A is fenced.
    expect(await store.takeLease('r1', b, 30_000)).toMatchObject({ taken: false, holder: { host: 'bastion-a', pid: 101 } });
    await db.conn.query("UPDATE stepwise.leases SET expires_at = now() - interval '1 second'");
    expect(await store.takeLease('r1', b, 30_000)).toMatchObject({ taken: true, previous: { host: 'bastion-a', engineId: 'engine-a' } });
    const second = (await store.head('r1')).hash!;
    await expect(store.append(row(3, second, a.engineId))).rejects.toMatchObject({ code: 'SW001' });
    await store.append(row(3, second, b.engineId));
    expect(await store.renewLease('r1', a.engineId, 30_000)).toBe(false);
    expect(await store.renewLease('r1', b.engineId, 30_000)).toBe(true);

    await expect(db.conn.query("UPDATE stepwise.events SET line = '{}' WHERE seq = 1")).rejects.toMatchObject({ code: 'SW003' });
    await expect(db.conn.query('DELETE FROM stepwise.events')).rejects.toMatchObject({ code: 'SW003' });
    await expect(db.conn.query('TRUNCATE stepwise.events CASCADE')).rejects.toMatchObject({ code: 'SW003' });
    expect((await store.readEvents('r1')).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await store.readEvents('r1', 2)).map((e) => e.seq)).toEqual([3]);
    expect(await store.listRuns()).toMatchObject([{ runId: 'r1', runbook: 'orders', head: 3 }]);
  });

  it.skipIf(noServer(kind))("claims a new run's id with its row: the next suffix when taken, none while the runbook is driven", async () => {
    const base = 'copy-20261206T100000Z';
    expect(await store.claimRun({ base, runbook: 'copy' }, a, 30_000)).toEqual({ runId: base });
    expect(await store.claimRun({ base, runbook: 'copy' }, b, 30_000)).toMatchObject({ live: { runId: base, host: 'bastion-a', pid: 101 } });
    await store.releaseLease(base, a.engineId);
    expect(await store.claimRun({ base, runbook: 'copy' }, b, 30_000)).toEqual({ runId: `${base}-2` });
    expect(await store.lease(`${base}-2`)).toMatchObject({ host: 'bastion-b', expired: false });
    // Claims that never journaled run.started are no runs.
    expect((await store.listRuns()).map((r) => r.runId)).toEqual(['r1']);
  });

  it.skipIf(noServer(kind))('does not wait out the lease of an engine of this host that was killed: another host still does', async () => {
    const base = 'killed-20261206T100000Z';
    const dead = { engineId: 'engine-dead', host: 'bastion-a', pid: spawnSync('true').pid! };
    expect(await store.claimRun({ base, runbook: 'killed' }, dead, 30_000)).toEqual({ runId: base });
    const otherHost = { ...b, engineId: 'engine-b2' };
    expect(await store.claimRun({ base, runbook: 'killed' }, otherHost, 30_000, goneHere(otherHost))).toMatchObject({
      live: { runId: base, host: 'bastion-a', pid: dead.pid },
    });
    const sameHost = { ...a, engineId: 'engine-a2', pid: process.pid };
    expect(await store.claimRun({ base, runbook: 'killed' }, sameHost, 30_000, goneHere(sameHost))).toEqual({ runId: `${base}-2` });
    expect(await store.lease(base)).toMatchObject({ expired: true });
  });
});
