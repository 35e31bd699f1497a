import { setTimeout as sleep } from 'node:timers/promises';
import { StepwiseError } from '../../errors/stepwise-error.js';
import { parseDuration } from '../../runbook/parse-duration.js';
import type { CompareBody } from '../../runbook/schema.js';
import { type KeyValue, showKey } from '../backfill/keyset-sql.js';
import type { ExecContext } from '../executor.js';
import { type CompareReport, emptyList, listedKeys, showRange } from './compare-report.js';
import { checkSidesMatch, describeSide } from './describe-side.js';
import { bothFingerprints, locateDifferences, type Sides } from './locate-differences.js';
import {
  chunkRanges,
  estimateRows,
  type Fingerprint,
  passFingerprints,
  planPass,
  sameFingerprint,
} from './read-side.js';
import { ReplicaThrottle, readLagLimits } from '../replica-lag/wait-for-replica.js';
import { withRowHashes } from './row-hash.js';

export const defaultChunk = 10_000;
// Chunks a pass fingerprints on each side in one statement: the progress shown moves once per
// pass, and no read transaction stays open long.
const passChunks = 20;
const defaultRecheck = '1s';
const count = (n: number) => n.toLocaleString('en-US');

// Compares two tables or queries in passes over the left side's key order: each pass takes its
// chunk ends from the left side's keys and fingerprints all its chunks on both sides at once, one
// statement per side on connections of their own. A differing chunk is read again after
// `recheck_after` (dual-write lag) and then bisected down to rows.
export async function compareData(body: CompareBody, ctx: ExecContext): Promise<CompareReport> {
  const started = performance.now();
  const chunk = body.chunk ?? defaultChunk;
  const recheckMs = parseDuration(body.recheck_after ?? defaultRecheck);
  const [l, r] = await Promise.all([
    describeSide(body.left, 'left', ctx),
    describeSide(body.right, 'right', ctx),
  ]);
  checkSidesMatch(l, r);
  const [left, right] = withRowHashes(l, r);
  const sides: Sides = { left, right };
  const estimate = await estimateRows(left);
  ctx.output(`fingerprinting about ${count(estimate)} rows, ${passChunks} chunks of ${count(chunk)} a pass\n`);
  const report: CompareReport = {
    equal: true,
    left: { what: left.what, rows: 0 },
    right: { what: right.what, rows: 0 },
    chunks: 0,
    differingChunks: 0,
    ranges: [],
    missingLeft: emptyList(),
    missingRight: emptyList(),
    different: emptyList(),
    durationMs: 0,
  };
  const lagLimits = readLagLimits(body);
  const primaries = [...new Set([left.conn, right.conn])];
  const replicas = lagLimits && new ReplicaThrottle(primaries, lagLimits, ctx, (text) => ctx.progress(text));
  let lo: KeyValue | undefined;
  for (;;) {
    if (replicas) await replicas.wait();
    if (ctx.signal.aborted) throw new StepwiseError('compare cancelled', 'stepFailed');
    const pass = await planPass(left, lo, chunk, passChunks);
    const [leftPrints, rightPrints] = await Promise.all([
      passFingerprints(left, pass),
      passFingerprints(right, pass),
    ]);
    for (const [i, range] of chunkRanges(pass).entries()) {
      report.chunks++;
      let prints: [Fingerprint, Fingerprint] = [leftPrints[i], rightPrints[i]];
      if (!sameFingerprint(...prints)) {
        ctx.output(
          `chunk ${report.chunks} (${showRange(range).lo ?? '-∞'}, ${showRange(range).hi ?? '+∞'}] differs; reading it again in ${recheckMs} ms\n`,
        );
        await sleep(recheckMs, undefined, { signal: ctx.signal }).catch(() => undefined);
        prints = await bothFingerprints(sides, range);
        if (!sameFingerprint(...prints) && (await locateDifferences(sides, range, prints, report)) > 0) {
          report.differingChunks++;
          if (report.ranges.length < listedKeys) report.ranges.push(showRange(range));
        }
      }
      report.left.rows += prints[0].n;
      report.right.rows += prints[1].n;
    }
    const total = Math.max(estimate, report.left.rows);
    ctx.progress(`chunk ${report.chunks} · ${count(report.left.rows)} / ${count(total)} rows compared`, {
      rows: report.left.rows,
      total,
      key: pass.hi ? showKey(pass.hi) : undefined,
    });
    if (!pass.hi) break;
    lo = pass.hi;
  }
  report.equal = report.different.count + report.missingLeft.count + report.missingRight.count === 0;
  report.durationMs = Math.round(performance.now() - started);
  return report;
}
