import type { Queryable } from './connection.js';

export interface LockBlocker {
  pid: number;
  usename: string | null;
  application_name: string | null;
  query_start: string | null;
  query: string | null;
}

const blockersSql = `
SELECT pid, usename, application_name, date_trunc('second', query_start)::text AS query_start, left(query, 200) AS query
FROM pg_stat_activity WHERE pid = ANY(pg_blocking_pids($1)) ORDER BY pid`;

// Who holds the lock a session waits for, while it waits (after a lock timeout it is too late to ask).
export async function lockBlockers(db: Queryable, waitingPid: number): Promise<LockBlocker[]> {
  return (await db.query<LockBlocker>(blockersSql, [waitingPid])).rows;
}

export function describeBlockers(blockers: LockBlocker[]): string {
  return blockers
    .map((b) => {
      const who = b.application_name ? `${b.application_name} (${b.usename ?? 'unknown user'})` : (b.usename ?? 'an unknown user');
      const since = b.query_start ? `, its statement since ${b.query_start}` : '';
      const line = b.query?.split('\n')[0].trim();
      return `server pid ${b.pid}, ${who}${since}${line ? `: ${line}` : ''}`;
    })
    .join('; ');
}
