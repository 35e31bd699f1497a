import { coalescedReads } from '../db/coalesced-reads.js';
import type { DbBackend } from '../db/connection.js';
import { requestSchema } from '../protocol/messages.js';
import { type IntentRow, IntentRows } from '../store/intent-rows.js';
import { describeInvalid, type EngineServer, type Requester } from './engine-server.js';

export interface IntentRowsOptions {
  // The team's state database.
  conn: DbBackend;
  runId: string;
  server: EngineServer;
  log: (text: string) => void;
}

// The run of a notification's `<run_id>:<id>` payload.
export function runOfPayload(payload: string): string {
  return payload.slice(0, payload.lastIndexOf(':'));
}

// Team mode: intents from other hosts are rows of stepwise.intents. The engine LISTENs for them,
// hands each to its server exactly as a socket client's (EngineServer.answer: the same rights and
// rules) and writes the answer in the row. Who asks counts as the role of the connection that
// inserted the row; the OS user and host it gives are recorded beside. Resolves with what stops
// it (the UNLISTEN, then the answers being written).
export async function serveIntentRows(options: IntentRowsOptions): Promise<() => Promise<void>> {
  const { conn, runId, server, log } = options;
  const rows = new IntentRows(conn);
  // Asked of an engine of this run that has ended: not carried out by surprise now.
  await rows.refuseWaiting(runId, `not carried out: the engine asked has ended; ask again (a new engine serves ${runId})`);
  let last = 0;
  // Answers being written: the engine's end waits for them, so a client hears its answer before
  // it hears that the engine ended.
  const answering = new Set<Promise<unknown>>();
  // Who may act is who may journal: a role without INSERT on stepwise.events only watches,
  // whatever its client says it is (asked each time: a grant may be revoked during a run).
  const mayJournal = async (role: string) => {
    const { rows: granted } = await conn.query<{ ok: boolean }>(
      "SELECT has_table_privilege($1, 'stepwise.events', 'INSERT') AS ok",
      [role],
    );
    return granted[0].ok;
  };
  const take = async (row: IntentRow) => {
    // What the engine says to the client, then its answer, one after another: the client hears
    // them in that order, as on the socket (a pool's statements could land in any order).
    let written: Promise<unknown> = Promise.resolve();
    const inOrder = (write: () => Promise<unknown>, failed: string) => {
      const next = written
        .then(write)
        .catch((error: unknown) => log(`intent ${row.id}: ${failed}: ${String(error)}`))
        .finally(() => answering.delete(next));
      written = next;
      answering.add(next);
    };
    const acts = row.clientRole === 'operator' && (await mayJournal(row.requestedBy));
    const requester: Requester = {
      role: acts ? 'operator' : 'watcher',
      watcherBecause:
        row.clientRole === 'operator' && !acts
          ? `database role ${row.requestedBy} may not add to the run's journal, so it may only watch`
          : undefined,
      by: { operator: row.display ?? row.osUser, user: row.osUser, role: row.requestedBy, host: row.host },
      say: (text) => {
        inOrder(() => rows.say(runId, row.id, text), 'a line for its client could not be sent');
      },
      answer: (message) => {
        inOrder(
          () =>
            rows.answer(
              row.id,
              message.type === 'done'
                ? { answer: 'done', result: message.result }
                : { answer: 'refused', message: message.message, kind: message.kind },
            ),
          'the answer could not be written',
        );
      },
    };
    const request = requestSchema.safeParse(row.body);
    if (!request.success) {
      requester.answer({ type: 'refused', id: row.id, message: describeInvalid(row.body) });
      return;
    }
    const what = request.data.type === 'intent' ? request.data.body.intent : request.data.type;
    log(`${row.requestedBy} (${row.osUser} on ${row.host}, ${row.clientRole}) asks ${what} through the database`);
    void server.answer(requester, row.id, request.data);
  };
  const read = coalescedReads(
    async () => {
      for (const row of await rows.waiting(runId, last)) {
        last = row.id;
        await take(row);
      }
    },
    (error) => log(`intents could not be read: ${String(error)}`),
  );
  const unlisten = await conn.listen(
    'stepwise_intents',
    (payload) => {
      if (runOfPayload(payload) === runId) void read();
    },
    () => void read(),
  );
  return async () => {
    await unlisten();
    await Promise.all(answering);
  };
}
