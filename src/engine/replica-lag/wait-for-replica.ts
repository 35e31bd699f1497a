import { setTimeout as sleep } from 'node:timers/promises';
import type { DbConnection } from '../../db/connection.js';
import { StepwiseError } from '../../errors/stepwise-error.js';
import { parseDuration } from '../../runbook/parse-duration.js';
import type { ReplicaLagLimits } from '../../runbook/schema.js';
import type { ExecContext } from '../executor.js';
import { type LagReading, readReplicaLag } from './read-replica-lag.js';
import { decideThrottle, type LagLimits } from './throttle-decision.js';

const pollMs = 1000;

export function readLagLimits(body: ReplicaLagLimits): LagLimits | undefined {
  if (body.max_replica_lag === undefined) return undefined;
  const maxMs = parseDuration(body.max_replica_lag);
  const resumeMs = body.resume_replica_lag === undefined ? maxMs / 2 : parseDuration(body.resume_replica_lag);
  if (resumeMs > maxMs) {
    throw new StepwiseError(
      `resume_replica_lag (${body.resume_replica_lag}) is above max_replica_lag (${body.max_replica_lag}); give it a lower value`,
      'stepFailed',
    );
  }
  return { maxMs, resumeMs };
}

// The worst of several primaries' readings; one unknown makes the whole unknown.
async function readAll(conns: DbConnection[], signal: AbortSignal): Promise<LagReading> {
  const readings = await Promise.all(conns.map((c) => readReplicaLag(c, signal)));
  const unknown = readings.find((r) => !r.known);
  if (unknown) return unknown;
  return readings.reduce((a, b) => (b.known && a.known && b.lagMs > a.lagMs ? b : a));
}

// Holds a step's work while the replicas of its primaries lag too far behind: checked before each
// batch (or pass); once held, polled every second until the lag is below the resume threshold.
// Each hold and release is journaled; the screen shows the reason while held.
export class ReplicaThrottle {
  private throttled = false;

  constructor(
    private readonly conns: DbConnection[],
    private readonly limits: LagLimits,
    private readonly ctx: ExecContext,
    private readonly notice: (text: string) => void,
  ) {}

  // Resolves when the work may go on; true when it was held.
  async wait(): Promise<boolean> {
    let held = false;
    const { signal } = this.ctx;
    while (!signal.aborted) {
      const decision = decideThrottle(this.throttled, await readAll(this.conns, signal), this.limits);
      if (decision.throttled !== this.throttled) {
        this.throttled = decision.throttled;
        this.ctx.throttleChanged(decision);
        this.ctx.output(
          decision.throttled ? `throttled: ${decision.reason}; waiting\n` : `throttle lifted: ${decision.reason}\n`,
        );
      }
      if (!decision.throttled) break;
      held = true;
      this.notice(`throttled: ${decision.reason}`);
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    }
    return held;
  }
}
