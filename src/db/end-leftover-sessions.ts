import type { LeftoverSession } from '../journal/events.js';
import type { DbConnection } from './connection.js';
import type { SessionTag } from './session-tag.js';

const leftoverSql = `
SELECT pid, application_name, state, left(query, 200) AS query, date_trunc('second', query_start)::text AS query_start
FROM pg_stat_activity
WHERE application_name LIKE $1 AND application_name <> $2 AND pid <> pg_backend_pid()
ORDER BY pid`;

// Sessions of an earlier attempt of the run: that process is dead (this one holds the run lock), so
// whatever they still do serves nobody and may hold locks the resumed run needs. Each is asked to
// cancel its statement, then terminated; pg_terminate_backend waits (up to 5 s) until it is gone.
export async function endLeftoverSessions(conn: DbConnection, tag: SessionTag): Promise<LeftoverSession[]> {
  if (conn.driver !== 'postgres') return [];
  const { rows } = await conn.query<LeftoverSession>(leftoverSql, [tag.pattern, tag.own]);
  for (const row of rows) await conn.query('SELECT pg_cancel_backend($1)', [row.pid]);
  for (const row of rows) await conn.query('SELECT pg_terminate_backend($1, 5000)', [row.pid]);
  return rows;
}
