import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbRunClient } from '../../src/client/db-run-client.js';
import { openPostgres } from '../../src/db/postgres-connection.js';
import type { JournalEvent } from '../../src/journal/events.js';
import { eventLine } from '../../src/journal/file-journal.js';
import { GENESIS } from '../../src/journal/journal.js';
import { EngineViews } from '../../src/store/engine-views.js';
import { IntentRows } from '../../src/store/intent-rows.js';
import { migrate } from '../../src/store/migrate.js';
import { RunStore } from '../../src/store/run-store.js';
import { openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testDatabaseUrl } from '../helpers/scratch-database.js';

const runId = 'orders-20261206T100000Z';
const engine = { engineId: 'engine-a', host: 'bastion-a', pid: 1 };

// A front end on another host, following a run through the state database; the engine's side is
// played here with the store, so the test holds every step of it.
describe.skipIf(!testDatabaseUrl)('a front end that reaches the run through the state database', () => {
  let db: TestDatabase;
  let store: RunStore;
  let prev = GENESIS;
  let seq = 0;
  const append = async () => {
    seq++;
    const { event, line } = eventLine({ type: 'step.progress', step: 'copy', message: `batch ${seq}` }, { seq, ts: new Date().toISOString(), prev });
    await store.append({ runId, seq, line, type: event.type, ts: event.ts, prev, hash: event.hash, engineId: engine.engineId });
    prev = event.hash;
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await migrate(db.conn);
    store = new RunStore(db.conn);
    await store.createRun({ runId, runbook: 'orders', host: engine.host });
    await store.takeLease(runId, engine, 600_000);
    await new EngineViews(db.conn).publish(runId, engine, { numbers: {} });
  });
  afterAll(async () => db?.close());

  it('sees every event in order, also those appended while its connection was lost, and hears answers and the end', async () => {
    for (let i = 0; i < 5; i++) await append();
    const client = await DbRunClient.connect({ conn: await openPostgres(db.url!, { applicationName: 'watcher under test' }), runId, role: 'watcher' });
    expect(client.user).toBe('postgres');
    const seen: number[] = [];
    let reached: (() => void) | undefined;
    let until = 0;
    const upTo = (n: number) => new Promise<void>((resolve) => {
      until = n;
      reached = resolve;
      if (seen.at(-1)! >= n) resolve();
    });
    await client.subscribe({
      view: (view) => expect(view).toEqual({ numbers: {} }),
      event: (event: JournalEvent) => {
        seen.push(event.seq);
        if (event.seq >= until) reached?.();
      },
    }, 3);
    expect(seen).toEqual([3, 4, 5]);

    for (let i = 0; i < 10; i++) await append();
    await upTo(15);
    // The server ends the watcher's LISTEN session; events go on being appended meanwhile.
    const { rows: ended } = await db.conn.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'watcher under test' AND query ILIKE 'listen%'`,
    );
    expect(ended).toHaveLength(1);
    for (let i = 0; i < 10; i++) await append();
    await upTo(25);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => i + 3));

    // An intent waits for the engine's answer in its row; a refusal carries the engine's sentence.
    let inserted!: () => void;
    const heard = new Promise<void>((resolve) => (inserted = resolve));
    const unlisten = await db.conn.listen('stepwise_intents', () => inserted(), () => {});
    const asked = client.request({ intent: 'pause', reason: 'mine now' });
    await heard;
    await unlisten();
    const rows = new IntentRows(db.conn);
    const waiting = await rows.waiting(runId, 0);
    expect(waiting[0]).toMatchObject({ clientRole: 'watcher', requestedBy: 'postgres', body: { type: 'intent', body: { intent: 'pause' } } });
    // Held before answering: the refusal may reach the client while the answer's UPDATE returns.
    const refused = expect(asked).rejects.toThrow('pause refused: watching is read-only');
    await rows.answer(waiting[0].id, { answer: 'refused', message: 'pause refused: watching is read-only' });
    await refused;

    await new EngineViews(db.conn).ended(runId, engine.engineId);
    await client.ended;
    await expect(client.request({ intent: 'cancel' })).rejects.toThrow(/the engine has ended/);
  });
});
