import type { DbConnection } from '../../db/connection.js';

// What pg_stat_replication says about the streaming replicas of a primary: the worst replay lag,
// or why there is no trustworthy figure.
export type LagReading = { known: true; lagMs: number; replica: string } | { known: false; why: string };

// A standby replies at least every wal_receiver_status_interval (10 s by default) and whenever WAL
// reaches it; a reply older than this while WAL waits for it says nothing about the lag now.
export const staleAfterMs = 15_000;

export interface ReplicaRow {
  name: string;
  state: string;
  // Replayed everything the primary has written.
  caught_up: boolean | null;
  lag_ms: number | null;
  reply_age_ms: number | null;
}

// replay_lag keeps growing while replay is stuck (the primary interpolates between its samples);
// it is NULL when the standby has replayed everything, and also when there is no sample to go by.
export const replicaLagSql = `SELECT coalesce(nullif(application_name, ''), client_addr::text, pid::text) AS name, state,
  replay_lsn >= pg_current_wal_lsn() AS caught_up,
  (extract(epoch FROM replay_lag) * 1000)::float8 AS lag_ms,
  (extract(epoch FROM clock_timestamp() - reply_time) * 1000)::float8 AS reply_age_ms
  FROM pg_stat_replication`;

// The worst lag of the replicas; a replica that is not streaming, whose lag is missing or whose
// last reply is stale makes the whole reading unknown, and so does having no replica at all.
export function judgeReplicas(rows: ReplicaRow[], on: string): LagReading {
  if (rows.length === 0) return { known: false, why: `no streaming replica in pg_stat_replication on ${on}` };
  let worst: LagReading = { known: true, lagMs: 0, replica: rows[0].name };
  for (const r of rows) {
    if (r.caught_up === null && r.lag_ms === null && r.reply_age_ms === null) {
      return { known: false, why: `cannot see replica ${r.name}'s positions on ${on} (grant pg_monitor)` };
    }
    if (r.state !== 'streaming') return { known: false, why: `replica ${r.name} is ${r.state}, not streaming` };
    if (r.caught_up) continue;
    if (r.reply_age_ms === null || r.reply_age_ms > staleAfterMs) {
      return { known: false, why: `replica ${r.name} last replied ${seconds(r.reply_age_ms)} ago` };
    }
    if (r.lag_ms === null) return { known: false, why: `replica ${r.name} is behind and reports no lag yet` };
    if (r.lag_ms >= worst.lagMs) worst = { known: true, lagMs: r.lag_ms, replica: r.name };
  }
  return worst;
}

export async function readReplicaLag(conn: DbConnection, signal?: AbortSignal): Promise<LagReading> {
  try {
    const { rows } = await conn.query<ReplicaRow>(replicaLagSql, [], { signal });
    return judgeReplicas(rows, conn.name);
  } catch (error) {
    if (signal?.aborted) throw error;
    return { known: false, why: `cannot read pg_stat_replication on ${conn.name}: ${(error as Error).message}` };
  }
}

// 4.2 s, 2 s, 0.5 s.
export function seconds(ms: number | null): string {
  if (ms === null) return 'an unknown time';
  return `${Math.round(ms / 100) / 10} s`;
}
