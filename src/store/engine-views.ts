import type { Queryable } from '../db/connection.js';

// What a screen on another host needs besides the journal (team mode): the run's engine writes
// its view (what does not change while it lives) as it starts and its live state as it changes;
// the schema's trigger NOTIFYs `stepwise_views` with the run id. A row is updated only by the
// engine it names, so an engine that lost the run cannot overwrite its successor's.

export interface EngineViewRow {
  engineId: string;
  host: string;
  view: unknown;
  live: unknown;
  // When the engine ended (it closed the run); absent while it serves.
  endedAt?: string;
}

export class EngineViews {
  constructor(private readonly db: Queryable) {}

  async publish(runId: string, engine: { engineId: string; host: string }, view: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO stepwise.engine_views (run_id, engine_id, host, view) VALUES ($1, $2, $3, $4)
       ON CONFLICT (run_id) DO UPDATE SET engine_id = EXCLUDED.engine_id, host = EXCLUDED.host,
         view = EXCLUDED.view, live = NULL, updated_at = now(), ended_at = NULL`,
      [runId, engine.engineId, engine.host, JSON.stringify(view)],
    );
  }

  async publishLive(runId: string, engineId: string, live: unknown): Promise<void> {
    await this.db.query(
      'UPDATE stepwise.engine_views SET live = $3, updated_at = now() WHERE run_id = $1 AND engine_id = $2',
      [runId, engineId, JSON.stringify(live)],
    );
  }

  async ended(runId: string, engineId: string): Promise<void> {
    await this.db.query(
      'UPDATE stepwise.engine_views SET ended_at = now() WHERE run_id = $1 AND engine_id = $2',
      [runId, engineId],
    );
  }

  read(runId: string): Promise<EngineViewRow | undefined> {
    return this.select(runId, 'view');
  }

  // The row without its view: what changes while the engine lives.
  readLive(runId: string): Promise<Omit<EngineViewRow, 'view'> | undefined> {
    return this.select(runId, 'NULL AS view');
  }

  private async select(runId: string, view: string): Promise<EngineViewRow | undefined> {
    const { rows } = await this.db.query<EngineViewRow & { endedAt: string | null }>(
      `SELECT engine_id AS "engineId", host, ${view}, live, ended_at::text AS "endedAt"
         FROM stepwise.engine_views WHERE run_id = $1`,
      [runId],
    );
    const row = rows[0];
    return row && { ...row, endedAt: row.endedAt ?? undefined };
  }
}
