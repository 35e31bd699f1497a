import type { ConnectionIdentity } from '../journal/events.js';
import type { RunState } from '../journal/reducer.js';

export function describeIdentity(identity: ConnectionIdentity): string {
  if (identity.driver === 'pglite') return `${identity.address} (embedded)`;
  const system = identity.system_identifier ? `, system ${identity.system_identifier}` : '';
  return `${identity.address} (database ${identity.database}, oid ${identity.database_oid}${system}, PostgreSQL ${identity.server_version.split(' ')[0]})`;
}

// Same target: the same embedded data directory, or the same database (name and oid) of the same
// cluster. The system identifier survives a failover to a promoted replica, the address does not;
// without one (a role that may not read it) the address has to match.
export function sameTarget(pinned: ConnectionIdentity, live: ConnectionIdentity): boolean {
  if (pinned.driver !== live.driver) return false;
  if (pinned.driver === 'pglite') return pinned.address === live.address;
  if (pinned.database !== live.database || pinned.database_oid !== live.database_oid) return false;
  if (pinned.system_identifier && live.system_identifier) return pinned.system_identifier === live.system_identifier;
  return pinned.address === live.address;
}

// Whether a live connection is the target a run recorded for it: by its pinned identity, or by
// its address in journals written before targets were pinned (nothing recorded: nothing to hold).
export function isRecordedTarget(
  journaled: RunState['started']['connections'][string] | undefined,
  live: ConnectionIdentity,
): boolean {
  if (journaled?.identity) return sameTarget(journaled.identity, live);
  return !journaled || journaled.target === live.address;
}

export interface PinDecision {
  // Connections not pinned yet (a journal written before targets were pinned, or a connection the
  // runbook gained since): pinned now, in run.resumed.
  pin: Record<string, ConnectionIdentity>;
  retarget: Array<{ conn: string; from: ConnectionIdentity; to: ConnectionIdentity }>;
  // Why nothing may run, naming both targets.
  refused?: string;
  // Retargets asked for connections that still point at their target.
  unchanged: string[];
}

// Compares every connection's live identity with the one its run journaled. A journal from before
// identities were journaled has only the redacted address: a connection whose address still
// matches it is pinned now, one that points elsewhere is refused like any other move.
export function decidePins(
  state: RunState,
  live: Record<string, ConnectionIdentity>,
  retarget: string[] = [],
): PinDecision {
  const decision: PinDecision = { pin: {}, retarget: [], unchanged: [] };
  const moved: string[] = [];
  for (const name of retarget) {
    if (!live[name]) {
      return { ...decision, refused: `--retarget ${name}: the runbook has no connection ${name}` };
    }
  }
  for (const [name, identity] of Object.entries(live)) {
    const journaled = state.started.connections[name];
    const pinned = journaled?.identity;
    if (isRecordedTarget(journaled, identity)) {
      if (!pinned) decision.pin[name] = identity;
      if (retarget.includes(name)) decision.unchanged.push(name);
      continue;
    }
    const from: ConnectionIdentity = pinned ?? {
      driver: journaled.embedded ? 'pglite' : 'postgres',
      address: journaled.target,
      database: '?',
      database_oid: '?',
      server_version: '?',
    };
    if (retarget.includes(name)) {
      decision.retarget.push({ conn: name, from, to: identity });
      continue;
    }
    moved.push(
      `connection ${name} belongs to ${pinned ? describeIdentity(from) : from.address} but now points at ${describeIdentity(identity)}`,
    );
  }
  if (moved.length) {
    const names = Object.keys(live).filter((n) => moved.some((m) => m.startsWith(`connection ${n} `)));
    decision.refused =
      `${moved.join('; ')}. Nothing ran. Point ${names.length > 1 ? 'them' : 'it'} back at the run's target, ` +
      `or move the run on purpose with ${names.map((n) => `--retarget ${n}`).join(' ')} --reason TEXT`;
  }
  return decision;
}
