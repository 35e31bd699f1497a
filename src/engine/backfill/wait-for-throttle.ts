import { setTimeout as sleep } from 'node:timers/promises';
import type { BackfillBody } from '../../runbook/schema.js';
import type { ExecContext } from '../executor.js';
import { evaluateCheck } from '../evaluate-check.js';
import type { BackfillProgress } from './backfill-progress.js';

const pollMs = 1000;

// Holds the next batch until the throttle check passes (replica lag, load), reporting why.
export async function waitForThrottle(
  throttle: NonNullable<BackfillBody['throttle']>,
  ctx: ExecContext,
  progress: BackfillProgress,
): Promise<void> {
  let held = false;
  while (!ctx.signal.aborted) {
    const result = await evaluateCheck(throttle, ctx);
    if (result.ok) break;
    const why = result.summary ?? result.error ?? 'throttle check failed';
    if (!held) ctx.output(`throttled: ${why}; waiting until the throttle check passes\n`);
    held = true;
    progress.notice(`throttled: ${why}`);
    await sleep(pollMs, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
  if (held) {
    ctx.output('throttle check passes; copying again\n');
    progress.waited();
  }
}
