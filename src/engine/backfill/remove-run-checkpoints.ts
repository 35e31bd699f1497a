import type { DbConnection } from '../../db/connection.js';
import { describeDbError } from '../../db/describe-db-error.js';

// What a run keeps in the `stepwise` schema of its databases.
const runTables = ['stepwise.backfill_checkpoint', 'stepwise.journal_anchor'];

// After a full rollback nothing of the run stays in the user's database: its checkpoint and
// journal anchor rows go, and the `stepwise` schema with them when no other run has rows there.
// Returns one line for the operator (what was removed, why the schema stays, or the command that
// removes it), or nothing when the connection never had the schema.
export async function removeRunCheckpoints(conn: DbConnection, runId: string): Promise<string | undefined> {
  try {
    return await conn.transaction(async (tx) => {
      await tx.query("SET LOCAL lock_timeout = '5s'");
      await tx.query("SET LOCAL statement_timeout = '30s'");
      const { rows } = await tx.query<{ schema: boolean; tables: string[] }>(
        `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'stepwise') AS schema,
                ARRAY(SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL) AS tables`,
        [runTables],
      );
      if (!rows[0].schema) return undefined;
      const tables = rows[0].tables;
      let others = 0;
      for (const table of tables) {
        // Taken first, so a run writing its checkpoint or anchor now waits for this decision.
        await tx.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
        await tx.query(`DELETE FROM ${table} WHERE run_id = $1`, [runId]);
        const left = await tx.query<{ runs: number }>(`SELECT count(DISTINCT run_id)::int AS runs FROM ${table}`);
        others = Math.max(others, left.rows[0].runs);
      }
      if (others > 0) {
        return `kept the stepwise schema on ${conn.name}: ${others} other run(s) have backfill checkpoints or journal anchors in it`;
      }
      for (const table of tables) await tx.query(`DROP TABLE ${table}`);
      // A state database of team mode keeps its journals in this schema: it stays.
      const kept = await tx.query<{ relations: number }>(
        "SELECT count(*)::int AS relations FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'stepwise'",
      );
      if (kept.rows[0].relations > 0) {
        return `removed the backfill checkpoints and journal anchors from ${conn.name}; kept the stepwise schema: it holds other tables (the journals of team mode)`;
      }
      await tx.query('DROP SCHEMA stepwise');
      return `removed the stepwise schema (backfill checkpoints, journal anchors) from ${conn.name}`;
    });
  } catch (error) {
    return (
      `could not remove the stepwise schema from ${conn.name} (${describeDbError(error)}); ` +
      'once no run needs them, remove its run tables with: DROP TABLE stepwise.backfill_checkpoint, stepwise.journal_anchor ' +
      '(never DROP SCHEMA stepwise CASCADE where team mode keeps journals in it)'
    );
  }
}
