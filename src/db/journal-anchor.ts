import type { JournalHead } from '../journal/anchor-mismatch.js';
import type { DbConnection, Queryable } from './connection.js';
import { sqlState } from './sql-state.js';

// The head of a run's journal (its last event's seq and hash), kept in the run's database beside
// the backfill checkpoints, so a journal cut short or rewritten with a recomputed chain no longer
// matches something outside the file. One row per run and connection name.

const createSql = [
  'CREATE SCHEMA IF NOT EXISTS stepwise',
  `CREATE TABLE IF NOT EXISTS stepwise.journal_anchor (
     run_id text NOT NULL,
     conn text NOT NULL,
     seq bigint NOT NULL,
     hash text NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (run_id, conn)
   )`,
];

// A journal only grows: an anchor never moves back, whoever writes an older head.
const upsertSql = `INSERT INTO stepwise.journal_anchor (run_id, conn, seq, hash) VALUES ($1, $2, $3, $4)
  ON CONFLICT (run_id, conn) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, updated_at = now()
  WHERE stepwise.journal_anchor.seq <= EXCLUDED.seq`;

// SQLSTATEs of a catalog race (two runs creating the schema at once) or of a table another run's
// full rollback dropped meanwhile: create it again and write once more.
const createAgain = new Set(['23505', '42P06', '42P07', '42P01', '3F000']);

// Short bounds of stepwise's own: an anchor never waits long on a busy catalog.
async function bounded(tx: Queryable): Promise<void> {
  await tx.query("SELECT set_config('lock_timeout', '5s', true), set_config('statement_timeout', '15s', true)");
}

export async function writeAnchor(conn: DbConnection, runId: string, head: JournalHead): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await conn.transaction(async (tx) => {
        await bounded(tx);
        if (tries > 0) for (const statement of createSql) await tx.query(statement);
        await tx.query(upsertSql, [runId, conn.name, head.seq, head.hash]);
      });
      return;
    } catch (error) {
      if (tries > 1 || !createAgain.has(sqlState(error) ?? '')) throw error;
    }
  }
}

// The anchored head of a run on a connection; undefined when it has none (or no table at all).
export async function readAnchor(conn: DbConnection, runId: string): Promise<JournalHead | undefined> {
  return conn.transaction(
    async (tx) => {
      await bounded(tx);
      const { rows: exists } = await tx.query<{ table: boolean }>(
        "SELECT to_regclass('stepwise.journal_anchor') IS NOT NULL AS table",
      );
      if (!exists[0].table) return undefined;
      const { rows } = await tx.query<{ seq: string; hash: string }>(
        'SELECT seq::text AS seq, hash FROM stepwise.journal_anchor WHERE run_id = $1 AND conn = $2',
        [runId, conn.name],
      );
      return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : undefined;
    },
    { readOnly: true },
  );
}
