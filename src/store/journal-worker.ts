import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { DbBackend } from '../db/connection.js';
import { openPostgres } from '../db/postgres-connection.js';
import { migrate } from './migrate.js';
import { chainRefused, leaseRefused } from './migrations.js';
import type { CallAnswer, CallFailure, JournalCall, JournalPost, LeaseLost, OpenCall, Opened } from './journal-calls.js';
import { type AppendRow, type Holder, RunStore } from './run-store.js';
import { goneHere, runbookDriven, takeRun } from './take-run.js';
import { LogShipper } from './log-shipper.js';

// The worker thread of a PostgreSQL journal (pg-journal.ts): it owns the journal's connection to
// the state database, answers each call on `port` and then wakes the engine's thread, which waits
// for the answer (Atomics.wait on `flag`). It renews the run's lease and holds the run's session
// advisory lock while it lives.

if (!parentPort) throw new Error('journal-worker.ts runs as a worker thread (pg-journal.ts starts it)');
const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };
const main = parentPort;

interface Run {
  conn: DbBackend;
  store: RunStore;
  runId: string;
  me: Holder;
  renewal: NodeJS.Timeout;
}
let run: Run | undefined;

function failure(message: string, reason: CallFailure['reason'] = 'failed', extra: Partial<CallFailure> = {}): CallFailure {
  return { message, reason, ...extra };
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
const sqlState = (error: unknown) => (error as { code?: string }).code;

async function open(call: OpenCall): Promise<Opened> {
  const conn = await openPostgres(call.url, {
    applicationName: `stepwise journal ${call.runId} (${call.me.host})`,
    statementTimeoutMs: journalStatementTimeoutMs,
  });
  try {
    await migrate(conn);
    const store = new RunStore(conn);
    const runId = call.create ? await claim(store, call) : call.runId;
    const taken = await takeRun(conn, store, { ...call, runId });
    const lines = (await store.readEvents(runId, call.afterSeq)).map((e) => e.line);
    const stepDefinitions = await store.stepDefinitions(runId);
    const { rows } = await conn.query<{ role: string }>('SELECT session_user AS role');
    // A third of the lease's time between renewals: two can fail before it runs out.
    const renewal = setInterval(() => void renew(), Math.max(1, Math.floor(call.leaseMs / 3)));
    run = { conn, store, runId, me: call.me, renewal };
    return { runId, previous: taken, lines, stepDefinitions, role: rows[0].role };
  } catch (error) {
    await conn.close();
    throw error;
  }
}

// A new run's id, claimed with its row: `call.runId` or the next free suffix of it.
async function claim(store: RunStore, call: OpenCall): Promise<string> {
  const { runbook, stepDefinitions } = call.create!;
  const claimed = await store.claimRun({ base: call.runId, runbook, stepDefinitions }, call.me, call.leaseMs, goneHere(call.me));
  if ('runId' in claimed) return claimed.runId;
  throw runbookDriven({ ...claimed.live, runbook });
}

async function renew(): Promise<void> {
  const at = run;
  if (!at) return;
  try {
    if (await at.store.renewLease(at.runId, at.me.engineId, leaseMs)) return;
  } catch {
    // The server is away for now: the next renewal tries again; an append meanwhile fails as such.
    return;
  }
  clearInterval(at.renewal);
  const lost: LeaseLost = { type: 'lost', holder: await at.store.lease(at.runId).catch(() => undefined) };
  main.postMessage(lost);
}

let leaseMs = 30_000;

// The journal's own statements end well before the engine stops waiting for them (pg-journal.ts).
const journalStatementTimeoutMs = 30_000;

// An append whose answer was lost (the connection broke after the commit) went in when the run's
// head is that very event.
async function append(row: AppendRow): Promise<void> {
  const at = run!;
  try {
    await at.store.append(row);
  } catch (error) {
    const code = sqlState(error);
    if (code === leaseRefused) {
      const holder = await at.store.lease(at.runId).catch(() => undefined);
      throw failure(errorMessage(error), 'lost', { holder });
    }
    if (code === chainRefused) throw failure(errorMessage(error));
    const head = await at.store.head(at.runId).catch(() => undefined);
    if (head?.seq === row.seq && head.hash === row.hash) return;
    throw failure(errorMessage(error));
  }
}

async function close(): Promise<void> {
  clearInterval(shipping);
  // The logs' last bytes, and the sizes of closed steps' logs not recorded yet.
  await queued(async () => logs?.shipAll(lastPassForMs));
  const at = run;
  run = undefined;
  if (!at) return;
  clearInterval(at.renewal);
  await at.store.releaseLease(at.runId, at.me.engineId).catch(() => undefined);
  await at.conn.close();
}

async function answer(call: JournalCall): Promise<unknown> {
  switch (call.method) {
    case 'open':
      leaseMs = call.leaseMs;
      return open(call);
    case 'append':
      return append(call.row);
    case 'readAll':
      return (await run!.store.readEvents(run!.runId)).map((e) => e.line);
    case 'completeLog':
      return queued(async () => logs?.complete(call.log, completeLogForMs));
    case 'close':
      return close();
  }
}

port.on('message', (message: JournalCall | JournalPost) => {
  if (message.method === 'snapshot' || message.method === 'shipLogs') return keep(message);
  const call = message;
  void answer(call).then(
    (value): CallAnswer => ({ ok: true, value }),
    (error: unknown): CallAnswer => ({ ok: false, failure: isFailure(error) ? error : failure(errorMessage(error)) }),
  ).then((reply) => {
    port.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});

function isFailure(error: unknown): error is CallFailure {
  return typeof error === 'object' && error !== null && 'reason' in error && 'message' in error;
}

// Kept in order, off the engine's path (an append does not wait for them; closing does). A
// snapshot that fails is no loss (it is a cache); a log's bytes that fail to land are copied again
// from its file on the next pass (log-shipper.ts).
let posted: Promise<unknown> = Promise.resolve();
function queued<T>(work: () => Promise<T>): Promise<T> {
  const done = posted.then(work);
  posted = done.catch(() => undefined);
  return done;
}

// How long a step's closing waits for its log to be whole in the database, trying again; the
// passes after it go on trying.
const completeLogForMs = 2_000;
const shipEveryMs = 1_000;
// A pass copies for this long at most, so an append or a step's closing is not held behind it; the
// last, as the journal closes, longer (the engine waits a minute for it).
const passForMs = 2_000;
const lastPassForMs = 20_000;
let logs: LogShipper | undefined;
let shipping: NodeJS.Timeout | undefined;
let passQueued = false;

function keep(post: JournalPost): void {
  const at = run;
  if (!at) return;
  if (post.method === 'snapshot') {
    void queued(() => at.store.writeSnapshot(at.runId, post, post.body)).catch(() => undefined);
    return;
  }
  const shipper = new LogShipper(at.store, at.runId, post.dir);
  logs = shipper;
  // A pass a second, none queued behind one that has not started.
  shipping = setInterval(() => {
    if (passQueued) return;
    passQueued = true;
    void queued(async () => {
      passQueued = false;
      await shipper.shipAll(passForMs);
    });
  }, shipEveryMs);
}
