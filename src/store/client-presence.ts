import type { Queryable } from '../db/connection.js';
import type { ClientRole } from './intent-rows.js';

// Front ends attached to a run through the database (team mode), in stepwise.clients: a client
// inserts its row as it attaches, renews it every presenceRenewMs and deletes it as it leaves; the
// run's engine counts the rows renewed within presenceExpiryMs among its clients, so one that
// stopped without a word (kill -9, a lost network) stops counting. The schema's trigger records
// who as the inserting connection's role and NOTIFYs `stepwise_clients` with the run id on every
// change; its policies let a role renew and remove only its own rows.

export const presenceRenewMs = 5_000;
export const presenceExpiryMs = 3 * presenceRenewMs;

export interface NewPresence {
  runId: string;
  clientRole: ClientRole;
  osUser: string;
  host: string;
  display?: string;
}

export interface PresenceRow extends NewPresence {
  id: number;
  // The database role of the connection that inserted the row.
  dbRole: string;
}

export class ClientPresence {
  constructor(private readonly db: Queryable) {}

  async attach(client: NewPresence): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO stepwise.clients (run_id, client_role, os_user, host, display)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [client.runId, client.clientRole, client.osUser, client.host, client.display ?? null],
    );
    return Number(rows[0].id);
  }

  async renew(id: number): Promise<void> {
    await this.db.query('UPDATE stepwise.clients SET seen_at = now() WHERE id = $1', [id]);
  }

  async leave(id: number): Promise<void> {
    await this.db.query('DELETE FROM stepwise.clients WHERE id = $1', [id]);
  }

  // The run's clients heard from within presenceExpiryMs, by the database's clock (no host's).
  async present(runId: string): Promise<PresenceRow[]> {
    const { rows } = await this.db.query<PresenceRow & { id: string; display: string | null }>(
      `SELECT id, run_id AS "runId", client_role AS "clientRole", db_role AS "dbRole", os_user AS "osUser", host, display
         FROM stepwise.clients
        WHERE run_id = $1 AND seen_at > now() - $2 * interval '1 millisecond'
        ORDER BY id`,
      [runId, presenceExpiryMs],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), display: r.display ?? undefined }));
  }
}
