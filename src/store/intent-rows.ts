import type { Queryable } from '../db/connection.js';

// Intents from other hosts (team mode): a client inserts a row, the run's engine answers in it.
// The schema's triggers (migrations.ts, version 2) record who asked as the inserting connection's
// role, let an answer be written once and nothing else change, and NOTIFY `stepwise_intents`
// (a new row) and `stepwise_answers` (an answer) with `<run_id>:<id>`. What the engine says to
// the client while it carries an intent out (a headless drive's sentences) is a notification of
// `stepwise_says`, `<run_id>:<id>:<text>`: heard by the client that waits for the answer, kept
// nowhere, as a socket's `say` line.

// A notification's payload is at most 8000 bytes: a longer sentence is cut (4 bytes a character
// at most in UTF-8).
const sayChars = 1_900;

// The intent id and sentence of a `stepwise_says` payload of run `runId`; undefined for another run's.
export function parseSay(runId: string, payload: string): { id: number; text: string } | undefined {
  if (!payload.startsWith(`${runId}:`)) return undefined;
  const rest = payload.slice(runId.length + 1);
  const colon = rest.indexOf(':');
  if (colon < 0) return undefined;
  return { id: Number(rest.slice(0, colon)), text: rest.slice(colon + 1) };
}

export type ClientRole = 'operator' | 'watcher';

export interface NewIntent {
  runId: string;
  body: unknown;
  clientRole: ClientRole;
  osUser: string;
  host: string;
  display?: string;
}

export interface IntentRow extends NewIntent {
  id: number;
  // The database role of the connection that inserted the row.
  requestedBy: string;
}

export type IntentAnswer =
  | { answer: 'done'; result?: unknown }
  | { answer: 'refused'; message: string; kind?: string };

const waitingColumns = `id, run_id AS "runId", body, client_role AS "clientRole", requested_by AS "requestedBy",
  os_user AS "osUser", host, display`;

export class IntentRows {
  constructor(private readonly db: Queryable) {}

  async ask(intent: NewIntent): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO stepwise.intents (run_id, body, client_role, os_user, host, display)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [intent.runId, JSON.stringify(intent.body), intent.clientRole, intent.osUser, intent.host, intent.display ?? null],
    );
    return Number(rows[0].id);
  }

  // The run's unanswered intents after `afterId`, oldest first.
  async waiting(runId: string, afterId: number): Promise<IntentRow[]> {
    const { rows } = await this.db.query<IntentRow & { id: string; display: string | null }>(
      `SELECT ${waitingColumns} FROM stepwise.intents
        WHERE run_id = $1 AND id > $2 AND answer IS NULL ORDER BY id`,
      [runId, afterId],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), display: r.display ?? undefined }));
  }

  // A sentence for the client waiting for intent `id` (see above).
  async say(runId: string, id: number, text: string): Promise<void> {
    const line = text.length > sayChars ? `${text.slice(0, sayChars)}…` : text;
    await this.db.query('SELECT pg_notify($1, $2)', ['stepwise_says', `${runId}:${id}:${line}`]);
  }

  // False when the intent had an answer already.
  async answer(id: number, answer: IntentAnswer): Promise<boolean> {
    const refused = answer.answer === 'refused' ? answer : undefined;
    const result = answer.answer === 'done' && answer.result !== undefined ? JSON.stringify(answer.result) : null;
    const { rowCount } = await this.db.query(
      `UPDATE stepwise.intents SET answer = $2, message = $3, kind = $4, result = $5
        WHERE id = $1 AND answer IS NULL`,
      [id, answer.answer, refused?.message ?? null, refused?.kind ?? null, result],
    );
    return rowCount === 1;
  }

  // Every unanswered intent of the run is refused with `message` (an engine starting: what was
  // asked of the one before it is not carried out by surprise).
  async refuseWaiting(runId: string, message: string): Promise<void> {
    await this.db.query(
      `UPDATE stepwise.intents SET answer = 'refused', message = $2, kind = 'usage'
        WHERE run_id = $1 AND answer IS NULL`,
      [runId, message],
    );
  }

  // The answer to intent `id`, undefined while it has none.
  async answerOf(id: number): Promise<IntentAnswer | undefined> {
    const { rows } = await this.db.query<{ answer: string | null; message: string | null; kind: string | null; result: unknown }>(
      'SELECT answer, message, kind, result FROM stepwise.intents WHERE id = $1',
      [id],
    );
    const row = rows[0];
    if (!row?.answer) return undefined;
    if (row.answer === 'done') return { answer: 'done', result: row.result ?? undefined };
    return { answer: 'refused', message: row.message ?? 'refused', kind: row.kind ?? undefined };
  }
}
