import type { DbConnection } from '../../db/connection.js';

// How many rows a table holds now, for the forecast: the planner's estimate when the table was
// ever analyzed, else a count under a short timeout. Undefined when neither answers: the forecast
// then goes by the rows of earlier runs.
export async function estimateSourceRows(db: DbConnection, table: string): Promise<number | undefined> {
  try {
    return await db.transaction(
      async (tx) => {
        await tx.query(`SET LOCAL statement_timeout = '5s'`);
        const { rows } = await tx.query<{ name: string; reltuples: number }>(
          `SELECT c.oid::regclass::text AS name, c.reltuples::float8 AS reltuples FROM pg_class c WHERE c.oid = to_regclass($1)`,
          [table],
        );
        const found = rows[0];
        if (!found) return undefined;
        if (found.reltuples > 0) return Math.round(found.reltuples);
        // The name is PostgreSQL's own quoting of the table it found, never the runbook's text.
        const counted = await tx.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${found.name}`);
        return counted.rows[0]?.n;
      },
      { readOnly: true },
    );
  } catch {
    return undefined;
  }
}
