import { StepwiseError } from '../errors/stepwise-error.js';
import { describeDbError } from '../db/describe-db-error.js';
import type { Renderer } from '../runbook/render.js';
import type { CheckBody, ExpectMap, ExpectValue, SqlCheck } from '../runbook/schema.js';
import { describeActual, evaluateExpect } from './evaluate-expect.js';
import type { ExecContext, StepResult } from './executor.js';
import { compareExecutor } from './executors/compare.js';
import { runExecutor } from './executors/run.js';
import { formatRows } from './format-rows.js';

// Expected values may name variables: `expect: { version: "{{ vars.target_version }}" }`.
function renderExpect(expect: ExpectMap, render: Renderer): ExpectMap {
  const fill = <V>(value: V): V => (typeof value === 'string' ? (render.text(value) as V) : value);
  return Object.fromEntries(
    Object.entries(expect).map(([key, value]): [string, ExpectValue] => [
      key,
      value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([op, v]) => [op, fill(v)]))
        : fill(value),
    ]),
  );
}

// Rows of a check's result kept for the report; the rest are counted.
const reportedRows = 20;

// A check reads and never writes: it runs in a read-only transaction.
async function sqlCheck(body: SqlCheck, ctx: ExecContext, showRows: boolean): Promise<StepResult> {
  const conn = ctx.connection(body.conn);
  const { text, params } = ctx.render.sql(body.sql);
  let rows: Record<string, unknown>[];
  try {
    ({ rows } = await conn.transaction((tx) => tx.query(text, params, { signal: ctx.signal }), {
      readOnly: true,
    }));
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw new StepwiseError(`the check query failed: ${describeDbError(error)}`, 'stepFailed');
  }
  if (showRows) ctx.output(ctx.render.mask(formatRows(rows)));
  const outcome = evaluateExpect(renderExpect(body.expect, ctx.render), rows);
  // What the query found goes on the sign-off sheet too, bounded (the journal masks secrets).
  const details = {
    expected: outcome.expected,
    actual: outcome.actual,
    failures: outcome.failures,
    rows: rows.slice(0, reportedRows),
    row_count: rows.length,
  };
  if (!outcome.ok) return { ok: false, error: outcome.failures.join('; '), details };
  return { ok: true, summary: describeActual(outcome.actual), details };
}

// A check body wherever it appears: a `check` step, verify, probe, gate checks, wait polls and
// backfill throttles. Details carry expected and actual values so a failure shows both.
export async function evaluateCheck(
  body: CheckBody,
  ctx: ExecContext,
  showRows = false,
): Promise<StepResult> {
  if ('compare' in body) return compareExecutor(body.compare, ctx);
  if ('run' in body) return runExecutor(body.run, ctx, body.expect);
  return sqlCheck(body, ctx, showRows);
}
