import { setTimeout as sleep } from 'node:timers/promises';
import { StepwiseError } from '../../errors/stepwise-error.js';
import { parseDuration } from '../../runbook/parse-duration.js';
import type { CompareBody } from '../../runbook/schema.js';
import { showKey } from '../backfill/keyset-sql.js';
import type { ExecContext } from '../executor.js';
import { type CompareReport, emptyList, listedKeys, showRange } from './compare-report.js';
import { checkSidesMatch, describeSide } from './describe-side.js';
import { bothFingerprints, locateDifferences, type Sides } from './locate-differences.js';
import { countRows, type KeyRange, keyAt, sameFingerprint } from './read-side.js';

export const defaultChunk = 10_000;
const defaultRecheck = '1s';
const count = (n: number) => n.toLocaleString('en-US');

// Compares two tables or queries (DESIGN.md section 4, "Moving data"): counts first, then chunk
// fingerprints over key ranges taken from the left side's keys; a differing chunk is read again
// after `recheck_after` (dual-write lag) and then bisected down to rows.
export async function compareData(body: CompareBody, ctx: ExecContext): Promise<CompareReport> {
  const started = performance.now();
  const chunk = body.chunk ?? defaultChunk;
  const recheckMs = parseDuration(body.recheck_after ?? defaultRecheck);
  const left = await describeSide(body.left, 'left', ctx);
  const right = await describeSide(body.right, 'right', ctx);
  checkSidesMatch(left, right);
  const sides: Sides = { left, right };
  const [leftRows, rightRows] = await Promise.all([countRows(left), countRows(right)]);
  ctx.output(`counts: left ${count(leftRows)}, right ${count(rightRows)}\n`);
  const report: CompareReport = {
    equal: true,
    left: { what: left.what, rows: leftRows },
    right: { what: right.what, rows: rightRows },
    chunks: 0,
    differingChunks: 0,
    ranges: [],
    missingLeft: emptyList(),
    missingRight: emptyList(),
    different: emptyList(),
    durationMs: 0,
  };
  let compared = 0;
  let lo: KeyRange['lo'];
  for (;;) {
    if (ctx.signal.aborted) throw new StepwiseError('compare cancelled', 'stepFailed');
    // The chunk holding the left side's last key is open-ended, so right-only keys beyond it count.
    const end = await keyAt(left, { lo }, chunk);
    const hi = end?.more ? end.key : undefined;
    const range: KeyRange = { lo, hi };
    let prints = await bothFingerprints(sides, range);
    report.chunks++;
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
    compared += prints[0].n;
    ctx.progress(`chunk ${report.chunks} · ${count(compared)} / ${count(leftRows)} rows compared`, {
      rows: compared,
      total: leftRows,
      key: hi ? showKey(hi) : undefined,
    });
    if (!hi) break;
    lo = hi;
  }
  report.equal = report.different.count + report.missingLeft.count + report.missingRight.count === 0;
  report.durationMs = Math.round(performance.now() - started);
  return report;
}
