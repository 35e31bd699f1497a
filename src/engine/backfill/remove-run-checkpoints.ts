import type { DbConnection } from '../../db/connection.js';
import { describeDbError } from '../../db/describe-db-error.js';

// After a full rollback nothing of the run stays in the user's database: its checkpoint rows go,
// and the `stepwise` schema with them when no other run has rows there. Returns one line for the
// operator (what was removed, why the schema stays, or the command that removes it), or nothing
// when the connection never had the schema.
export async function removeRunCheckpoints(conn: DbConnection, runId: string): Promise<string | undefined> {
  try {
    return await conn.transaction(async (tx) => {
      await tx.query("SET LOCAL lock_timeout = '5s'");
      await tx.query("SET LOCAL statement_timeout = '30s'");
      const { rows } = await tx.query<{ schema: boolean; table: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'stepwise') AS schema,
                to_regclass('stepwise.backfill_checkpoint') IS NOT NULL AS table`,
      );
      if (!rows[0].schema) return undefined;
      if (rows[0].table) {
        // Taken first, so a run creating its checkpoint now waits for this decision.
        await tx.query('LOCK TABLE stepwise.backfill_checkpoint IN ACCESS EXCLUSIVE MODE');
        await tx.query('DELETE FROM stepwise.backfill_checkpoint WHERE run_id = $1', [runId]);
        const others = await tx.query<{ runs: number }>(
          'SELECT count(DISTINCT run_id)::int AS runs FROM stepwise.backfill_checkpoint',
        );
        const runs = others.rows[0].runs;
        if (runs > 0) {
          return `kept the stepwise schema on ${conn.name}: ${runs} other run(s) have backfill checkpoints in it`;
        }
        await tx.query('DROP TABLE stepwise.backfill_checkpoint');
      }
      await tx.query('DROP SCHEMA stepwise');
      return `removed the stepwise schema (backfill checkpoints) from ${conn.name}`;
    });
  } catch (error) {
    return (
      `could not remove the stepwise schema from ${conn.name} (${describeDbError(error)}); ` +
      'once no run needs it, remove it with: DROP SCHEMA stepwise CASCADE'
    );
  }
}
