import type { Queryable } from '../../db/connection.js';

export interface BatchTimeouts {
  lockMs: number;
  statementMs: number;
}

// SET LOCAL for both timeouts in one round trip; they end with the batch's transaction.
export async function setBatchTimeouts(tx: Queryable, t: BatchTimeouts): Promise<void> {
  await tx.query(
    `SELECT set_config('lock_timeout', $1, true) AS lock_timeout, set_config('statement_timeout', $2, true) AS statement_timeout`,
    [`${t.lockMs}ms`, `${t.statementMs}ms`],
  );
}
