import type { CompareReport } from './compare-report.js';
import { addKey } from './compare-report.js';
import type { SideSource } from './describe-side.js';
import {
  type Fingerprint,
  fingerprint,
  type KeyRange,
  keyAt,
  rowHashes,
  sameFingerprint,
} from './read-side.js';

// Ranges with at most this many rows on both sides together are compared row by row.
const rowLevel = 5000;

export interface Sides {
  left: SideSource;
  right: SideSource;
}

export async function bothFingerprints(sides: Sides, range: KeyRange): Promise<[Fingerprint, Fingerprint]> {
  return Promise.all([fingerprint(sides.left, range), fingerprint(sides.right, range)]);
}

// Row by row: keys only on one side, and keys whose rows differ. Returns how many it found.
async function diffRows(sides: Sides, range: KeyRange, report: CompareReport): Promise<number> {
  const [left, right] = await Promise.all([rowHashes(sides.left, range), rowHashes(sides.right, range)]);
  const id = (key: string[]) => JSON.stringify(key);
  const rightByKey = new Map(right.map((r) => [id(r.key), r.h]));
  const leftKeys = new Set<string>();
  let found = 0;
  for (const row of left) {
    const k = id(row.key);
    leftKeys.add(k);
    const h = rightByKey.get(k);
    if (h === undefined) addKey(report.missingRight, row.key);
    else if (h !== row.h) addKey(report.different, row.key);
    else continue;
    found++;
  }
  for (const row of right) {
    if (leftKeys.has(id(row.key))) continue;
    addKey(report.missingLeft, row.key);
    found++;
  }
  return found;
}

// Bisects a differing range at the median key of its larger side until the ranges are small,
// then diffs rows. Halves whose fingerprints match are dropped.
export async function locateDifferences(
  sides: Sides,
  range: KeyRange,
  prints: [Fingerprint, Fingerprint],
  report: CompareReport,
): Promise<number> {
  const [l, r] = prints;
  if (l.n + r.n <= rowLevel) return diffRows(sides, range, report);
  const [bigger, n] = l.n >= r.n ? [sides.left, l.n] : [sides.right, r.n];
  const mid = (await keyAt(bigger, range, Math.floor(n / 2)))?.key;
  if (!mid) return diffRows(sides, range, report);
  let found = 0;
  for (const half of [
    { lo: range.lo, hi: mid },
    { lo: mid, hi: range.hi },
  ]) {
    const halfPrints = await bothFingerprints(sides, half);
    if (!sameFingerprint(...halfPrints)) found += await locateDifferences(sides, half, halfPrints, report);
  }
  return found;
}
