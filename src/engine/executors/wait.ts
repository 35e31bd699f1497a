import { StepwiseError } from '../../errors/stepwise-error.js';
import type { CheckDetails } from '../../journal/events.js';
import { parseDuration } from '../../runbook/parse-duration.js';
import type { CheckBody, WaitBody } from '../../runbook/schema.js';
import { describeActual, describeExpected } from '../evaluate-expect.js';
import type { ExecContext, StepResult } from '../executor.js';
import { evaluateCheck } from '../evaluate-check.js';

const defaultEvery = '5s';
const defaultTimeout = '10m';

// With `run`, `until` speaks of the command: { exit: 0 } and/or { stdout: "regex" }.
function pollBody(body: WaitBody, step: string): CheckBody {
  if (body.sql !== undefined) return { conn: body.conn, sql: body.sql, expect: body.until };
  if (body.run === undefined) throw new StepwiseError(`step ${step}: wait needs sql: or run:`);
  const { exit, stdout, ...rest } = body.until;
  if (
    Object.keys(rest).length ||
    (exit !== undefined && typeof exit !== 'number') ||
    (stdout !== undefined && typeof stdout !== 'string')
  ) {
    throw new StepwiseError(
      `step ${step}: a wait with run: takes until: { exit: <code>, stdout: "<regex>" }`,
    );
  }
  return { run: body.run, expect: { exit: exit === undefined ? undefined : [exit], stdout } };
}

function describePoll(result: StepResult): { now: string; wanted: string } {
  const details = result.details as CheckDetails | undefined;
  if (!details?.actual || !details.expected) return { now: result.summary ?? result.error ?? '', wanted: '' };
  return { now: describeActual(details.actual), wanted: describeExpected(details.expected) };
}

// The `wait` executor: polls a check every `every` until `until` holds or `timeout` passes.
export async function waitExecutor(body: WaitBody, ctx: ExecContext): Promise<StepResult> {
  const every = parseDuration(body.every ?? defaultEvery);
  const timeout = body.timeout ?? defaultTimeout;
  const check = pollBody(body, ctx.step.id);
  const started = ctx.clock.now();
  const deadline = started + parseDuration(timeout);
  for (let poll = 1; ; poll++) {
    const result = await evaluateCheck(check, ctx);
    const { now, wanted } = describePoll(result);
    const line =
      result.ok || !wanted ? `poll ${poll}: ${now}` : `poll ${poll}: ${now}, waiting for ${wanted}`;
    ctx.output(`${line}\n`);
    ctx.progress(line, { poll, ok: result.ok });
    const polls = `${poll} poll${poll === 1 ? '' : 's'}`;
    if (result.ok) {
      const seconds = Math.round((ctx.clock.now() - started) / 1000);
      return { ok: true, summary: `${now} after ${polls} (${seconds}s)`, details: result.details };
    }
    const left = deadline - ctx.clock.now();
    if (left <= 0) {
      const waited = wanted ? ` waiting for ${wanted}` : '';
      return {
        ok: false,
        error: `timed out after ${timeout}${waited}: ${now} at the last of ${polls}`,
        details: result.details,
      };
    }
    await ctx.clock.sleep(Math.min(every, left), ctx.signal);
    ctx.signal.throwIfAborted();
  }
}
