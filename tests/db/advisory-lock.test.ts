import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DbConnection } from '../../src/db/connection.js';
import { openConnections } from '../../src/db/open-connections.js';
import { openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testDatabaseUrl } from '../helpers/scratch-database.js';

async function openAs(url: string, applicationName: string): Promise<DbConnection> {
  const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-lock-'));
  const connections = await openConnections({
    connections: { app: { url } },
    stateDir,
    env: {},
    applicationName,
  });
  return connections.app;
}

describe.skipIf(!testDatabaseUrl)('two bastions driving the same PostgreSQL database', () => {
  let db: TestDatabase | undefined;
  const extra: DbConnection[] = [];
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((c) => c.close()));
    await db?.close();
  });

  it('lets one hold the run lock, refuses the other and names the holder', async () => {
    db = await openTestDatabase('postgres', {
      applicationName: 'stepwise alice queue-migration-20261123T0200Z',
    });
    const bob = await openAs(db.url!, 'stepwise bob queue-migration-20261123T0201Z');
    extra.push(bob);

    expect(await db.conn.tryAdvisoryLock('stepwise:queue-migration')).toBe(true);
    // Taking it again from the same run is fine (the engine may ask twice on resume).
    expect(await db.conn.tryAdvisoryLock('stepwise:queue-migration')).toBe(true);
    expect(await bob.tryAdvisoryLock('stepwise:queue-migration')).toBe(false);

    const holder = await bob.advisoryLockHolder('stepwise:queue-migration');
    expect(holder).toMatch(
      /^stepwise alice queue-migration-20261123T0200Z \(server pid \d+ from [\d.:a-f]+, connected since \d{4}-/,
    );
    expect(await bob.advisoryLockHolder('stepwise:another-runbook')).toBeUndefined();
    // A different runbook is a different lock.
    expect(await bob.tryAdvisoryLock('stepwise:another-runbook')).toBe(true);
  });

  it('keeps the lock while the run queries and transacts, and releases it when the run closes', async () => {
    db = await openTestDatabase('postgres', { applicationName: 'stepwise alice' });
    const bob = await openAs(db.url!, 'stepwise bob');
    extra.push(bob);
    expect(await db.conn.tryAdvisoryLock('stepwise:rb')).toBe(true);
    // Busy pool: the lock session is not one of the connections handed out for work.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db!.conn.transaction((tx) => tx.query('SELECT pg_sleep(0.05), $1::int', [i])),
      ),
    );
    expect(await bob.tryAdvisoryLock('stepwise:rb')).toBe(false);

    await db.conn.close();
    expect(await bob.tryAdvisoryLock('stepwise:rb')).toBe(true);
    expect(await bob.advisoryLockHolder('stepwise:rb')).toMatch(/^stepwise bob /);
  });

  it('leaves no timer behind once closed, so a command exits as soon as its work is done', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    db = await openTestDatabase('postgres', { applicationName: 'stepwise alice' });
    const before = timers();
    const alice = await openAs(db.url!, 'stepwise alice');
    expect(await alice.tryAdvisoryLock('stepwise:rb')).toBe(true);
    await alice.close();
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('the embedded database', () => {
  it('is one process, so its lock is always granted', async () => {
    const db = await openTestDatabase('pglite');
    try {
      expect(await db.conn.tryAdvisoryLock('stepwise:rb')).toBe(true);
      expect(await db.conn.advisoryLockHolder('stepwise:rb')).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});
