// A string key becomes one 64-bit advisory lock key, computed by the server so every client agrees.
export const tryLockSql = 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked';

// pg_locks shows a bigint advisory key as classid (high half), objid (low half), objsubid 1.
export const lockHolderSql = `
SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, a.usename,
       date_trunc('second', a.backend_start)::text AS since
FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid
CROSS JOIN (SELECT hashtextextended($1, 0) AS k) key
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = ((key.k >> 32) & 4294967295)::oid
  AND l.objid = (key.k & 4294967295)::oid
LIMIT 1`;

export interface LockHolderRow {
  pid: number;
  application_name: string | null;
  client_addr: string | null;
  usename: string | null;
  since: string | null;
}

export function describeLockHolder(row: LockHolderRow): string {
  const who = row.application_name || `an unnamed session of ${row.usename ?? 'an unknown user'}`;
  const from = row.client_addr ? ` from ${row.client_addr}` : '';
  return `${who} (server pid ${row.pid}${from}, connected since ${row.since})`;
}
