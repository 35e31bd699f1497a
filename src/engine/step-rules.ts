import type { Step, StepBody, StepKind } from '../runbook/schema.js';
import type { IndexedStep } from './step-index.js';

// The rules about what a step may touch, in one place: the engine applies them, front ends and
// the test fixture ask these functions instead of deciding again.

// Kinds that change nothing: passed over by rollback, safe to run again after an interruption.
export const readOnlyKinds: ReadonlySet<StepKind> = new Set(['check', 'wait', 'compare', 'soak']);

// Kinds that write (a command may write anywhere): confirmed before they run on production.
export const mutatingKinds: ReadonlySet<StepKind> = new Set(['run', 'sql', 'backfill']);

// The connection a step writes to: its own, or the only one the run has. Undefined for a
// command and for kinds that only read.
export function connectionWritten(body: StepBody | Step, connections: readonly string[]): string | undefined {
  const pick = (name?: string) => name ?? (connections.length === 1 ? connections[0] : undefined);
  if (body.sql !== undefined) return pick(typeof body.sql === 'string' ? undefined : body.sql.conn);
  if (body.backfill) return pick(body.backfill.into ?? body.backfill.conn);
  return undefined;
}

// Whether a step writes to a production connection (a command: when any connection of the run is
// production).
export function writesToProduction(
  entry: IndexedStep,
  connections: readonly string[],
  isProduction: (connection: string) => boolean,
): boolean {
  if (!mutatingKinds.has(entry.kind)) return false;
  const written = connectionWritten(entry.step, connections);
  return written === undefined ? connections.some(isProduction) : isProduction(written);
}

// A step asks for a confirmation before it runs when its `confirm:` says so, when it is a point
// of no return (the confirmation says whether finishing and a rollback still fit the window), or
// when it writes to a production connection.
export function needsConfirm(
  entry: IndexedStep,
  connections: readonly string[],
  isProduction: (connection: string) => boolean,
): boolean {
  return (
    Boolean(entry.step.confirm) ||
    entry.step.point_of_no_return === true ||
    writesToProduction(entry, connections, isProduction)
  );
}
