import type { DbConnection, Queryable } from '../db/connection.js';
import type { events, leases, runs } from './schema.js';

// The runs of a team's state database (the `stepwise` schema, schema.ts), read and written with
// bound parameters. Readers (status, report, verify, log, watch, export) and the PostgreSQL
// journal's worker use it alike.

export type RunRow = typeof runs.$inferSelect & { head: number };
export type EventRow = Pick<typeof events.$inferSelect, 'seq' | 'line' | 'hash'>;
export type Lease = Pick<typeof leases.$inferSelect, 'engineId' | 'host' | 'pid' | 'expiresAt'> & { expired: boolean };

export interface Holder {
  engineId: string;
  host: string;
  pid: number;
}

// A live run of a runbook: its lease and id.
export type LiveRun = Lease & { runId: string };

// Whether a lease's engine is known to be gone although its lease has not run out: one of this
// host whose process has ended (a kill -9). Its lease is ended instead of refusing for its rest.
export type KnownGone = (holder: Lease) => boolean;

// Refused: the run's lease is held (`holder`), or another run of its runbook is driven (`other`).
export type LeaseOutcome = { taken: true; previous?: Lease } | { taken: false; holder: Lease; other?: LiveRun & { runbook: string } };

export interface AppendRow {
  runId: string;
  seq: number;
  line: string;
  type: string;
  ts: string;
  prev: string;
  hash: string;
  engineId: string;
}

// Events are read in pages, so a run of a million events is not one result set.
const pageSize = 20_000;

const leaseColumns = `engine_id AS "engineId", host, pid, expires_at::text AS "expiresAt", expires_at <= now() AS expired`;

export class RunStore {
  constructor(private readonly db: Queryable & Pick<DbConnection, 'transaction'>) {}

  // Runs that journaled at least run.started: a start refused or failed after its id was claimed
  // leaves a row without events, which is no run.
  async listRuns(): Promise<RunRow[]> {
    const { rows } = await this.db.query<RunRow>(
      `SELECT r.run_id AS "runId", r.runbook, r.host, r.created_at::text AS "createdAt", NULL AS "stepDefinitions",
              (SELECT max(seq) FROM stepwise.events e WHERE e.run_id = r.run_id)::int AS head
         FROM stepwise.runs r
        WHERE EXISTS (SELECT 1 FROM stepwise.events e WHERE e.run_id = r.run_id)
        ORDER BY r.run_id`,
    );
    return rows;
  }

  async hasRun(runId: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM stepwise.runs WHERE run_id = $1', [runId]);
    return rows.length > 0;
  }

  // A new run's row, its id chosen here: `base`, else `base-2`, `base-3`… (the row is the claim,
  // so two hosts starting the same runbook in the same second get different ids), with its lease
  // taken for `me`. Refused (`live` names the engine) while another run of the runbook has a live
  // lease: one engine per runbook across the team's hosts, as the file lock is on one host.
  async claimRun(
    row: { base: string; runbook: string; stepDefinitions?: string },
    me: Holder,
    ttlMs: number,
    gone?: KnownGone,
  ): Promise<{ runId: string } | { live: LiveRun }> {
    return this.db.transaction(async (tx) => {
      const live = await liveRunOf(tx, row.runbook, '', gone);
      if (live) return { live };
      for (let n = 1; ; n++) {
        const runId = n === 1 ? row.base : `${row.base}-${n}`;
        const { rows } = await tx.query(
          `INSERT INTO stepwise.runs (run_id, runbook, host, step_definitions) VALUES ($1, $2, $3, $4)
           ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
          [runId, row.runbook, me.host, row.stepDefinitions ?? null],
        );
        if (rows.length === 0) continue;
        await tx.query(
          `INSERT INTO stepwise.leases (run_id, engine_id, host, pid, expires_at)
           VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')`,
          [runId, me.engineId, me.host, me.pid, ttlMs],
        );
        return { runId };
      }
    });
  }

  // A run's row as `import` puts it back.
  async createRun(row: { runId: string; runbook: string; host: string; stepDefinitions?: string }): Promise<void> {
    await this.db.query('INSERT INTO stepwise.runs (run_id, runbook, host, step_definitions) VALUES ($1, $2, $3, $4)', [
      row.runId,
      row.runbook,
      row.host,
      row.stepDefinitions ?? null,
    ]);
  }

  async stepDefinitions(runId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ d: string | null }>(
      'SELECT step_definitions AS d FROM stepwise.runs WHERE run_id = $1',
      [runId],
    );
    return rows[0]?.d ?? undefined;
  }

  // The last event's seq and hash (seq 0 for a run without events).
  async head(runId: string): Promise<{ seq: number; hash?: string }> {
    const { rows } = await this.db.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM stepwise.events WHERE run_id = $1 ORDER BY seq DESC LIMIT 1',
      [runId],
    );
    return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : { seq: 0 };
  }

  // The events after `afterSeq`, in order, as their journal lines.
  async readEvents(runId: string, afterSeq = 0): Promise<EventRow[]> {
    const out: EventRow[] = [];
    for (let from = afterSeq; ; ) {
      const { rows } = await this.db.query<{ seq: string; line: string; hash: string }>(
        'SELECT seq, line, hash FROM stepwise.events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [runId, from, pageSize],
      );
      for (const r of rows) out.push({ seq: Number(r.seq), line: r.line, hash: r.hash });
      if (rows.length < pageSize) return out;
      from = out.at(-1)!.seq;
    }
  }

  // The event `seq` of a run, reading that one row (a snapshot's check, a run's first event).
  async readEvent(runId: string, seq: number): Promise<EventRow | undefined> {
    const { rows } = await this.db.query<{ seq: string; line: string; hash: string }>(
      'SELECT seq, line, hash FROM stepwise.events WHERE run_id = $1 AND seq = $2',
      [runId, seq],
    );
    return rows[0] && { seq: Number(rows[0].seq), line: rows[0].line, hash: rows[0].hash };
  }

  // One event, refused by the database unless `engineId` holds the run's lease and the event
  // continues the run's chain (migrations.ts, fence_event).
  async append(row: AppendRow): Promise<void> {
    await this.db.query(
      `INSERT INTO stepwise.events (run_id, seq, line, type, ts, prev, hash, engine_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.runId, row.seq, row.line, row.type, row.ts, row.prev, row.hash, row.engineId],
    );
  }

  async lease(runId: string): Promise<Lease | undefined> {
    const { rows } = await this.db.query<Lease>(`SELECT ${leaseColumns} FROM stepwise.leases WHERE run_id = $1`, [runId]);
    return rows[0];
  }

  // Takes the run's lease for `ttlMs` when nobody holds it, when it expired (a takeover: the
  // previous holder is returned), or when it is held by `replacing` (an engine known to be dead).
  // `alone`: refused while another run of its runbook is driven (an engine resuming it).
  async takeLease(runId: string, me: Holder, ttlMs: number, replacing?: string, alone = false, gone?: KnownGone): Promise<LeaseOutcome> {
    return this.db.transaction(async (tx) => {
      if (alone) {
        const { rows: run } = await tx.query<{ runbook: string }>('SELECT runbook FROM stepwise.runs WHERE run_id = $1', [runId]);
        const other = run[0] && (await liveRunOf(tx, run[0].runbook, runId, gone));
        if (other) return { taken: false as const, holder: other, other: { ...other, runbook: run[0].runbook } };
      }
      const { rows } = await tx.query<Lease>(`SELECT ${leaseColumns} FROM stepwise.leases WHERE run_id = $1 FOR UPDATE`, [runId]);
      const held = rows[0];
      if (held && !held.expired && held.engineId !== me.engineId && held.engineId !== replacing)
        return { taken: false as const, holder: held };
      await tx.query(
        `INSERT INTO stepwise.leases (run_id, engine_id, host, pid, expires_at)
         VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')
         ON CONFLICT (run_id) DO UPDATE SET engine_id = EXCLUDED.engine_id, host = EXCLUDED.host,
           pid = EXCLUDED.pid, taken_at = now(), expires_at = EXCLUDED.expires_at`,
        [runId, me.engineId, me.host, me.pid, ttlMs],
      );
      return { taken: true as const, previous: held && held.engineId !== me.engineId ? held : undefined };
    });
  }

  // False when the lease is no longer this engine's.
  async renewLease(runId: string, engineId: string, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE stepwise.leases SET expires_at = now() + $3 * interval '1 millisecond'
        WHERE run_id = $1 AND engine_id = $2`,
      [runId, engineId, ttlMs],
    );
    return rowCount === 1;
  }

  // Ends the lease now, so the next resume (on any host) takes the run without waiting.
  async releaseLease(runId: string, engineId: string): Promise<void> {
    await this.db.query('UPDATE stepwise.leases SET expires_at = now() WHERE run_id = $1 AND engine_id = $2', [
      runId,
      engineId,
    ]);
  }

  async writeSnapshot(runId: string, point: { seq: number; hash: string }, body: string): Promise<void> {
    await this.db.query(
      `INSERT INTO stepwise.snapshots (run_id, seq, hash, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (run_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, body = EXCLUDED.body, written_at = now()`,
      [runId, point.seq, point.hash, body],
    );
  }

  async readSnapshot(runId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ body: string }>('SELECT body FROM stepwise.snapshots WHERE run_id = $1', [runId]);
    return rows[0]?.body;
  }

  // Idempotent: a chunk tried again after a failure whose write landed after all is kept once.
  async appendLogChunk(runId: string, log: string, start: number, data: Buffer): Promise<void> {
    await this.db.query(
      'INSERT INTO stepwise.log_chunks (run_id, log, start, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [runId, log, start, data],
    );
  }

  // The log's stored chunks as byte ranges, by offset.
  async logSpans(runId: string, log: string): Promise<Array<{ start: number; end: number }>> {
    const { rows } = await this.db.query<{ start: string; end: string }>(
      'SELECT start, start + length(data) AS end FROM stepwise.log_chunks WHERE run_id = $1 AND log = $2 ORDER BY start',
      [runId, log],
    );
    return rows.map((r) => ({ start: Number(r.start), end: Number(r.end) }));
  }

  // The log's size as its step closed, once its bytes up to there are stored.
  async endLog(runId: string, log: string, size: number): Promise<void> {
    await this.db.query('INSERT INTO stepwise.log_ends (run_id, log, size) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      runId,
      log,
      size,
    ]);
  }

  // The names of the run's stored logs (logs/copy.1.log: copy.1.log).
  async listLogs(runId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ log: string }>(
      `SELECT log FROM stepwise.log_chunks WHERE run_id = $1 UNION SELECT log FROM stepwise.log_ends WHERE run_id = $1 ORDER BY log`,
      [runId],
    );
    return rows.map((r) => r.log);
  }

  // A log's stored chunks in order, and its size as its step closed when that was recorded.
  async readLogChunks(runId: string, log: string): Promise<{ chunks: Array<{ start: number; data: Buffer }>; size?: number }> {
    const { rows } = await this.db.query<{ start: string; data: Uint8Array }>(
      'SELECT start, data FROM stepwise.log_chunks WHERE run_id = $1 AND log = $2 ORDER BY start',
      [runId, log],
    );
    const { rows: ends } = await this.db.query<{ size: string }>('SELECT size FROM stepwise.log_ends WHERE run_id = $1 AND log = $2', [
      runId,
      log,
    ]);
    return {
      chunks: rows.map((r) => ({ start: Number(r.start), data: Buffer.from(r.data) })),
      size: ends[0] ? Number(ends[0].size) : undefined,
    };
  }
}

// The live run of a runbook other than `except`, under a transaction advisory lock on the runbook
// held to the commit: two engines' checks and claims for one runbook go one after the other.
async function liveRunOf(tx: Queryable, runbook: string, except = '', gone?: KnownGone): Promise<LiveRun | undefined> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`stepwise.runbook:${runbook}`]);
  const { rows } = await tx.query<LiveRun>(
    `SELECT run_id AS "runId", ${leaseColumns} FROM stepwise.leases
      WHERE run_id IN (SELECT run_id FROM stepwise.runs WHERE runbook = $1) AND run_id <> $2 AND expires_at > now()
      ORDER BY expires_at DESC`,
    [runbook, except],
  );
  for (const live of rows) {
    if (!gone?.(live)) return live;
    await tx.query('UPDATE stepwise.leases SET expires_at = now() WHERE run_id = $1 AND engine_id = $2', [live.runId, live.engineId]);
  }
  return undefined;
}
