import { describe, expect, it } from 'vitest';
import { judgeReplicas, type ReplicaRow, staleAfterMs } from '../../src/engine/replica-lag/read-replica-lag.js';
import { decideThrottle } from '../../src/engine/replica-lag/throttle-decision.js';

const limits = { maxMs: 2000, resumeMs: 1000 };
const lag = (lagMs: number) => ({ known: true as const, lagMs, replica: 'standby1' });
const row = (r: Partial<ReplicaRow>): ReplicaRow => ({
  name: 'standby1',
  state: 'streaming',
  caught_up: false,
  lag_ms: 300,
  reply_age_ms: 200,
  ...r,
});

describe('deciding whether replica lag holds the next batch', () => {
  it('goes on while the lag is at or under the maximum', () => {
    expect(decideThrottle(false, lag(2000), limits)).toEqual({ throttled: false, reason: 'replica lag 2 s ≤ 2 s' });
  });

  it('holds once the lag passes the maximum, telling the operator by how much', () => {
    expect(decideThrottle(false, lag(4200), limits)).toEqual({ throttled: true, reason: 'replica lag 4.2 s > 2 s' });
  });

  it('keeps holding between the two thresholds, and lets go only below the lower one', () => {
    expect(decideThrottle(true, lag(1500), limits)).toEqual({
      throttled: true,
      reason: 'replica lag 1.5 s, goes on below 1 s',
    });
    expect(decideThrottle(true, lag(900), limits)).toEqual({ throttled: false, reason: 'replica lag 0.9 s < 1 s' });
  });

  it('holds when the lag cannot be known, whether held before or not (fail closed)', () => {
    const unknown = { known: false as const, why: 'no streaming replica in pg_stat_replication on app' };
    for (const held of [false, true]) {
      expect(decideThrottle(held, unknown, limits)).toEqual({
        throttled: true,
        reason: 'replica lag unknown: no streaming replica in pg_stat_replication on app',
      });
    }
  });
});

describe("reading pg_stat_replication's rows", () => {
  it('takes the worst lag of the replicas, and a caught-up replica as no lag', () => {
    const rows = [row({ name: 'a', lag_ms: 300 }), row({ name: 'b', lag_ms: 4200 }), row({ name: 'c', caught_up: true, lag_ms: null })];
    expect(judgeReplicas(rows, 'app')).toEqual({ known: true, lagMs: 4200, replica: 'b' });
    expect(judgeReplicas([row({ caught_up: true, lag_ms: null, reply_age_ms: 60_000 })], 'app')).toEqual({
      known: true,
      lagMs: 0,
      replica: 'standby1',
    });
  });

  it('knows no lag without a replica, for a replica not streaming, stale, silent about its lag, or hidden', () => {
    const why = (rows: ReplicaRow[]) => {
      const reading = judgeReplicas(rows, 'app');
      return reading.known ? 'known' : reading.why;
    };
    expect(why([])).toBe('no streaming replica in pg_stat_replication on app');
    expect(why([row({ state: 'catchup' })])).toBe('replica standby1 is catchup, not streaming');
    expect(why([row({ reply_age_ms: staleAfterMs + 1 })])).toBe('replica standby1 last replied 15 s ago');
    expect(why([row({ lag_ms: null })])).toBe('replica standby1 is behind and reports no lag yet');
    expect(why([row({ caught_up: null, lag_ms: null, reply_age_ms: null })])).toBe(
      "cannot see replica standby1's positions on app (grant pg_monitor)",
    );
  });
});
