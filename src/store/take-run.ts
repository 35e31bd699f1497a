import type { DbBackend } from '../db/connection.js';
import { type LockHolderRow, lockHolderSql } from '../db/advisory-lock-sql.js';
import type { CallFailure, OpenCall } from './journal-calls.js';
import type { Holder, KnownGone, Lease, LiveRun, RunStore } from './run-store.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// An engine of this host (not this one) whose process has ended: its lease need not run out.
export function goneHere(me: Holder): KnownGone {
  return (holder) => holder.host === me.host && holder.pid !== me.pid && !alive(holder.pid);
}

export function advisoryKey(runId: string): string {
  return `stepwise.run:${runId}`;
}

// Takes the run for this engine: its lease, then its session advisory lock. The lease is the
// fence (the database refuses appends of any other engine); it is taken when free, expired, or
// held by an engine of this host whose process is gone (a local resume after kill -9 need not
// wait for the expiry). Returns the engine it took the run from, on a takeover.
//
// An expired lease whose engine still holds the advisory lock is an engine frozen or cut off from
// the server: its session is ended (where this role may end it), so it cannot hold the lock.
export async function takeRun(conn: DbBackend, store: RunStore, call: OpenCall): Promise<Lease | undefined> {
  const held = await store.lease(call.runId);
  const deadHere = held && goneHere(call.me)(held) ? held.engineId : undefined;
  const outcome = await store.takeLease(call.runId, call.me, call.leaseMs, deadHere, true, goneHere(call.me));
  if (!outcome.taken && outcome.other) throw runbookDriven(outcome.other);
  if (!outcome.taken) {
    const failure: CallFailure = {
      message:
        `run ${call.runId} is driven by the engine on ${outcome.holder.host} (pid ${outcome.holder.pid}, lease until ${outcome.holder.expiresAt}); ` +
        `attach to it with \`stepwise attach ${call.runId}\`, or resume once that engine has ended or its lease has run out`,
      reason: 'held',
      holder: outcome.holder,
    };
    throw failure;
  }
  const key = advisoryKey(call.runId);
  if (!(await conn.tryAdvisoryLock(key))) {
    const { rows } = await conn.query<LockHolderRow>(lockHolderSql, [key]);
    // Waits up to 5 s for the session to end (PostgreSQL 14+).
    if (rows[0]) await conn.query('SELECT pg_terminate_backend($1, 5000)', [rows[0].pid]).catch(() => undefined);
    // Without the lock the lease still fences the other engine; the lock shows who drives.
    await conn.tryAdvisoryLock(key);
  }
  return outcome.previous;
}

// One engine per runbook across the team's hosts, as the file lock is on one host.
export function runbookDriven(live: LiveRun & { runbook: string }): CallFailure {
  return {
    message:
      `${live.runbook} is being driven as run ${live.runId} by the engine on ${live.host} (pid ${live.pid}); ` +
      `attach to it with \`stepwise attach ${live.runId}\`, or wait for it to finish`,
    reason: 'held',
    holder: live,
  };
}
