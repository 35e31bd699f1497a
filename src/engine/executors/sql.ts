import { setTimeout as sleep } from 'node:timers/promises';
import { StepwiseError } from '../../errors/stepwise-error.js';
import type { Queryable } from '../../db/connection.js';
import { describeDbError } from '../../db/describe-db-error.js';
import { describeBlockers, type LockBlocker, lockBlockers } from '../../db/lock-blockers.js';
import { maxServerTimeoutMs } from '../../db/server-timeouts.js';
import { parseDuration } from '../../runbook/parse-duration.js';
import { writeCommands } from '../../db/row-count.js';
import type { SqlBody } from '../../runbook/schema.js';
import { createdTable } from '../../runbook/created-table.js';
import { splitStatements } from '../../runbook/split-statements.js';
import type { ExecContext, StepResult } from '../executor.js';

type SqlSpec = Exclude<SqlBody, string>;

// How often a statement's blockers are looked at while it runs.
const lockWatchMs = 200;
type RowsGuard = NonNullable<SqlSpec['rows']>;

interface Statement {
  source: string;
  text: string;
  params: unknown[];
  // The table a CREATE TABLE … AS writes: its rows count as the statement's.
  creates?: string;
}

// A failure the step reports as its error (the rows guard, a failing statement).
class SqlStepFailure extends Error {}

function sqlTextOf(spec: SqlSpec, ctx: ExecContext): string {
  if (spec.file !== undefined) {
    const text = ctx.loaded.files[spec.file];
    if (text === undefined)
      throw new StepwiseError(`step ${ctx.step.id}: the sql file ${spec.file} was not loaded`);
    return text;
  }
  if (spec.text === undefined) throw new StepwiseError(`step ${ctx.step.id}: sql needs text: or file:`);
  return spec.text;
}

function guardViolation(guard: RowsGuard | undefined, affected: number, final: boolean): string | undefined {
  if (guard?.max !== undefined && affected > guard.max)
    return `affected ${affected} rows, more than rows.max ${guard.max}`;
  if (!final) return undefined;
  if (guard?.min !== undefined && affected < guard.min)
    return `affected ${affected} rows, fewer than rows.min ${guard.min}`;
  if (guard?.exactly !== undefined && affected !== guard.exactly) {
    return `affected ${affected} rows, not rows.exactly ${guard.exactly}`;
  }
  return undefined;
}

// Runs a statement while another session looks, now and then, at who blocks it: when the
// statement fails for a lock (lock_timeout), the error carries the last holders seen.
async function whileWatchingLocks<T>(conn: Queryable, pid: number | undefined, run: () => Promise<T>): Promise<T> {
  if (pid === undefined) return run();
  let blockers: LockBlocker[] = [];
  const watching = new AbortController();
  const watch = (async () => {
    while (!watching.signal.aborted) {
      await sleep(lockWatchMs, undefined, { signal: watching.signal }).catch(() => undefined);
      if (watching.signal.aborted) return;
      const seen = await lockBlockers(conn, pid).catch(() => []);
      if (seen.length) blockers = seen;
    }
  })();
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: string }).code === '55P03' && error instanceof Error)
      Object.assign(error, { blockers });
    throw error;
  } finally {
    watching.abort();
    await watch;
  }
}

function firstLine(sql: string): string {
  const line = sql.split('\n')[0].trim();
  return line.length > 60 || sql.includes('\n') ? `${line.slice(0, 60)}…` : line;
}

// The `sql` executor: the statements of the text (or file), each filled in with bound parameters,
// in one transaction unless `transaction: false`. Result rows: rows affected by all of them.
export async function sqlExecutor(body: SqlBody, ctx: ExecContext): Promise<StepResult> {
  const spec: SqlSpec = typeof body === 'string' ? { text: body } : body;
  const atomic = spec.transaction !== false;
  // Every statement is filled in before the first runs: a missing value stops the step untouched.
  const statements: Statement[] = splitStatements(sqlTextOf(spec, ctx)).map((source) => {
    const rendered = ctx.render.sql(source);
    return { source, ...rendered, creates: createdTable(rendered.text) };
  });
  const conn = ctx.connection(spec.conn);
  const afterError = atomic
    ? 'the transaction was rolled back, nothing was applied'
    : 'the statements before it stay applied (transaction: false)';
  const afterGuard = atomic
    ? 'the transaction was rolled back'
    : 'the statements ran without a transaction (transaction: false) and stay applied';
  let affected = 0;

  const runAll = async (session: Queryable) => {
    // The session's pid, so that a statement waiting for a lock can say who holds it.
    const pid =
      conn.driver === 'postgres'
        ? (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid
        : undefined;
    // The server stops a statement at the step's timeout too, even when this process is gone.
    if (ctx.step.timeout && conn.driver === 'postgres') {
      const timeoutMs = Math.min(parseDuration(ctx.step.timeout), maxServerTimeoutMs);
      await session.query('SELECT set_config($1, $2, $3)', ['statement_timeout', String(timeoutMs), atomic]);
    }
    for (const [i, statement] of statements.entries()) {
      // PGlite runs a statement without giving the event loop a turn: yield before each one so a
      // cancel or the step timeout (timers, key presses) is seen between statements.
      await sleep(0);
      ctx.signal.throwIfAborted();
      try {
        const result = await whileWatchingLocks(conn, pid, () =>
          session.query(statement.text, statement.params, { signal: ctx.signal }),
        );
        if (writeCommands.has(result.command)) affected += result.rowCount;
        else if (statement.creates) {
          const counted = await session.query<{ n: string | number }>(
            `SELECT count(*) AS n FROM ${statement.creates}`,
            [],
            { signal: ctx.signal },
          );
          affected += Number(counted.rows[0].n);
        }
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const which =
          statements.length > 1
            ? `statement ${i + 1} of ${statements.length} (${firstLine(statement.source)}) failed: `
            : '';
        // 25001: CREATE INDEX CONCURRENTLY, VACUUM and the like cannot run inside a transaction.
        const hint =
          atomic && (error as { code?: string }).code === '25001'
            ? '; give this step transaction: false'
            : '';
        const holder = (error as { blockers?: LockBlocker[] }).blockers;
        const held = holder?.length ? `; the lock is held by ${describeBlockers(holder)}` : '';
        throw new SqlStepFailure(`${which}${describeDbError(error)}${held}; ${afterError}${hint}`);
      }
      // rows.max stops at the first statement that passes it.
      const over = guardViolation(spec.rows, affected, false);
      if (over) throw new SqlStepFailure(`${over}; ${afterGuard}`);
    }
    await sleep(0);
    ctx.signal.throwIfAborted();
    const violation = guardViolation(spec.rows, affected, true);
    if (violation) throw new SqlStepFailure(`${violation}; ${afterGuard}`);
    // Settings made with SET do not follow the step into the pool (withSession resets on its own).
    if (atomic) await session.query('RESET ALL');
  };

  try {
    if (atomic) await conn.transaction(runAll);
    else await conn.withSession(runAll);
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (error instanceof SqlStepFailure) return { ok: false, error: error.message, rows: affected };
    throw error instanceof StepwiseError
      ? error
      : new StepwiseError(describeDbError(error), 'stepFailed');
  }
  const count = `${statements.length} statement${statements.length === 1 ? '' : 's'}`;
  return {
    ok: true,
    rows: affected,
    summary: `${count}, ${affected} row${affected === 1 ? '' : 's'} affected`,
  };
}
