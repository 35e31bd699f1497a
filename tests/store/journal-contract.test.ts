import { appendFileSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbConnection } from '../../src/db/connection.js';
import { openPostgres } from '../../src/db/postgres-connection.js';
import type { EventPayload, JournalEvent } from '../../src/journal/events.js';
import { eventLine, FileJournal, parseJournal, type ReadResult, readJournal } from '../../src/journal/file-journal.js';
import { GENESIS } from '../../src/journal/journal.js';
import { migrate } from '../../src/store/migrate.js';
import { PgJournal } from '../../src/store/pg-journal.js';
import { RunStore } from '../../src/store/run-store.js';
import { openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';
import { recordedPayloads } from '../journal/recorded-run.js';

// One contract for every place a run's journal can live: the file beside the run, a team's
// PostgreSQL (through the engine's synchronous journal and its worker), and PGlite (the same
// schema and triggers, written through the store). The same events make the same lines.

const runId = 'queue-migration-20261123T020013Z';
const clock = () => Date.parse('2026-11-23T02:00:13.000Z');
const payloads = recordedPayloads(tempStateDir('stepwise-contract-'), runId).slice(0, 12);

interface Writer {
  append(payload: EventPayload): Promise<JournalEvent> | JournalEvent;
  close(): Promise<void> | void;
}

interface Backend {
  // A new run's journal, or the run's journal opened again after its first `after` events.
  open(create: boolean, after?: { seq: number; hash: string }): Promise<Writer & { read: ReadResult }>;
  read(): Promise<ReadResult>;
  lines(): Promise<string[]>;
  runs(): Promise<string[]>;
  // A write the backend must not keep: a torn line (file) or an engine without the lease
  // (databases). Resolves once it was refused or cut, and the journal reads as before.
  intrude(): Promise<void>;
  close(): Promise<void>;
}

function fileBackend(): Backend {
  const dir = tempStateDir('stepwise-contract-');
  const path = join(dir, 'journal.jsonl');
  return {
    async open(create, after) {
      if (create) {
        const journal = FileJournal.create(path, clock);
        return Object.assign(journal, { read: readJournal(path) });
      }
      const { journal, read } = FileJournal.open(path, { now: clock, from: after && { ...after, offset: offsetAfter(path, after.seq), line: after.seq } });
      return Object.assign(journal, { read });
    },
    read: async () => readJournal(path),
    lines: async () => readFileSync(path, 'utf8').split('\n').slice(0, -1),
    runs: async () => [runId],
    async intrude() {
      appendFileSync(path, '{"seq":99,"ts":"2026-11-23T02:00:13.000Z","type":"gate.sig');
      expect((await this.read()).tornTail).toBeDefined();
      FileJournal.open(path).journal.close();
    },
    close: async () => {},
  };
}

function offsetAfter(path: string, seq: number): number {
  const text = readFileSync(path, 'utf8');
  let offset = 0;
  for (let i = 0; i < seq; i++) offset = text.indexOf('\n', offset) + 1;
  return offset;
}

function readStored(store: RunStore): Promise<ReadResult> {
  return store.readEvents(runId).then((rows) => parseJournal(Buffer.from(rows.map((r) => `${r.line}\n`).join('')), { seq: 0, hash: GENESIS, offset: 0, line: 0 }));
}

async function intruder(store: RunStore): Promise<void> {
  const head = await store.head(runId);
  const { line, event } = eventLine({ type: 'run.paused', reason: 'zombie' } as EventPayload, { seq: head.seq + 1, ts: new Date(clock()).toISOString(), prev: head.hash ?? GENESIS });
  await expect(store.append({ runId, seq: event.seq, line, type: event.type, ts: event.ts, prev: event.prev, hash: event.hash, engineId: 'zombie' })).rejects.toMatchObject({ code: 'SW001' });
}

async function postgresBackend(): Promise<Backend> {
  const scratch: ScratchDatabase = await createScratchDatabase('contract');
  const conn = await openPostgres(scratch.url, { applicationName: 'contract reader' });
  const store = new RunStore(conn);
  let n = 0;
  return {
    async open(create, after) {
      const me = { engineId: `engine-${++n}`, host: hostname(), pid: process.pid };
      const { journal, read } = PgJournal.open({
        url: scratch.url,
        runId,
        me,
        now: clock,
        create: create ? { runbook: 'queue-migration', stepDefinitions: '{}' } : undefined,
        from: after && { ...after, offset: 0, line: after.seq },
      });
      return Object.assign(journal, { read });
    },
    read: () => readStored(store),
    lines: async () => (await store.readEvents(runId)).map((r) => r.line),
    runs: async () => (await store.listRuns()).map((r) => r.runId),
    intrude: () => intruder(store),
    close: async () => {
      await conn.close();
      await scratch.drop();
    },
  };
}

async function pgliteBackend(): Promise<Backend> {
  const db: TestDatabase = await openTestDatabase('pglite');
  const conn: DbConnection = db.conn;
  await migrate(conn);
  const store = new RunStore(conn);
  let n = 0;
  return {
    async open(create, after) {
      const me = { engineId: `engine-${++n}`, host: hostname(), pid: process.pid };
      if (create) await store.createRun({ runId, runbook: 'queue-migration', host: me.host });
      await conn.query("UPDATE stepwise.leases SET expires_at = now() WHERE run_id = $1", [runId]);
      await store.takeLease(runId, me, 30_000);
      const rows = await store.readEvents(runId, after?.seq ?? 0);
      const read = parseJournal(Buffer.from(rows.map((r) => `${r.line}\n`).join('')), { seq: after?.seq ?? 0, hash: after?.hash ?? GENESIS, offset: 0, line: after?.seq ?? 0 });
      let head = read.events.at(-1) ?? { seq: after?.seq ?? 0, hash: after?.hash ?? GENESIS };
      return {
        read,
        async append(payload) {
          const { event, line } = eventLine(payload, { seq: head.seq + 1, ts: new Date(clock()).toISOString(), prev: head.hash });
          await store.append({ runId, seq: event.seq, line, type: event.type, ts: event.ts, prev: event.prev, hash: event.hash, engineId: me.engineId });
          head = event;
          return event;
        },
        close: () => store.releaseLease(runId, me.engineId),
      };
    },
    read: () => readStored(store),
    lines: async () => (await store.readEvents(runId)).map((r) => r.line),
    runs: async () => (await store.listRuns()).map((r) => r.runId),
    intrude: () => intruder(store),
    close: () => db.close(),
  };
}

const backends = [
  { name: 'a file', make: async () => fileBackend(), skip: false },
  { name: 'PostgreSQL', make: postgresBackend, skip: !testDatabaseUrl },
  { name: 'PGlite', make: pgliteBackend, skip: false },
];

const fileLines: string[] = [];

describe.each(backends)('a run journaled in $name', ({ make, skip, name }) => {
  let backend: Backend;
  beforeAll(async () => {
    if (!skip) backend = await make();
  });
  afterAll(async () => backend?.close());

  it.skipIf(skip)('keeps every event in order with its chain, the same lines as a file journal', async () => {
    const writer = await backend.open(true);
    const appended: JournalEvent[] = [];
    for (const payload of payloads.slice(0, 8)) appended.push(await writer.append(payload));
    await writer.close();

    const read = await backend.read();
    expect(read.problems).toEqual([]);
    expect(read.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(read.events.at(-1)!.hash).toBe(appended.at(-1)!.hash);
    expect(await backend.runs()).toEqual([runId]);
    const lines = await backend.lines();
    if (name === 'a file') fileLines.push(...lines);
    else if (fileLines.length) expect(lines).toEqual(fileLines);
  });

  it.skipIf(skip)('opens again from a point and continues the chain', async () => {
    const before = await backend.read();
    const point = before.events[4];
    const writer = await backend.open(false, { seq: point.seq, hash: point.hash });
    expect(writer.read.events.map((e) => e.seq)).toEqual([6, 7, 8]);
    for (const payload of payloads.slice(8, 12)) await writer.append(payload);
    await writer.close();
    const after = await backend.read();
    expect(after.problems).toEqual([]);
    expect(after.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it.skipIf(skip)('keeps nothing of a write it must refuse or cut', async () => {
    const before = await backend.lines();
    await backend.intrude();
    expect(await backend.lines()).toEqual(before);
    expect((await backend.read()).problems).toEqual([]);
  });
});
