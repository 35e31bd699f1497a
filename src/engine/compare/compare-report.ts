import type { KeyValue } from '../backfill/keyset-sql.js';
import { showKey } from '../backfill/keyset-sql.js';
import type { KeyRange } from './read-side.js';

export const listedKeys = 20;

export interface KeyList {
  count: number;
  // The first keys found, in key order within each range.
  first: string[];
}

export interface CompareReport {
  equal: boolean;
  // Rows on each side: the sums of the chunks' counts, each read in its chunk's snapshot.
  left: { what: string; rows: number };
  right: { what: string; rows: number };
  chunks: number;
  differingChunks: number;
  // Key ranges whose fingerprints still differed after the recheck (the first ones).
  ranges: Array<{ lo: string | null; hi: string | null }>;
  // Keys only on the right (missing on the left), only on the left, and on both with other values.
  missingLeft: KeyList;
  missingRight: KeyList;
  different: KeyList;
  durationMs: number;
}

export function emptyList(): KeyList {
  return { count: 0, first: [] };
}

export function addKey(list: KeyList, key: KeyValue): void {
  list.count++;
  if (list.first.length < listedKeys) list.first.push(showKey(key));
}

export function showRange(range: KeyRange): { lo: string | null; hi: string | null } {
  return { lo: range.lo ? showKey(range.lo) : null, hi: range.hi ? showKey(range.hi) : null };
}

const count = (n: number) => n.toLocaleString('en-US');
const rowsWord = (n: number) => `${count(n)} ${n === 1 ? 'row' : 'rows'}`;

export function summarise(r: CompareReport): string {
  if (r.equal) {
    return `equal: ${rowsWord(r.left.rows)} on both sides, ${r.chunks} ${r.chunks === 1 ? 'chunk' : 'chunks'} fingerprinted`;
  }
  return `differ: ${count(r.different.count)} changed, ${count(r.missingRight.count)} missing on the right, ${count(r.missingLeft.count)} missing on the left (left ${rowsWord(r.left.rows)}, right ${rowsWord(r.right.rows)})`;
}

// The mismatch report an operator reads: counts, then the first keys of each kind.
export function describeReport(r: CompareReport): string[] {
  const lines = [
    `left:  ${r.left.what}: ${rowsWord(r.left.rows)}`,
    `right: ${r.right.what}: ${rowsWord(r.right.rows)}`,
    summarise(r),
  ];
  const list = (title: string, l: KeyList) => {
    if (l.count === 0) return;
    const more = l.count > l.first.length ? `, … ${count(l.count - l.first.length)} more` : '';
    lines.push(`${title} (${count(l.count)}): ${l.first.join(', ')}${more}`);
  };
  list('changed keys', r.different);
  list('missing on the right (only left has them)', r.missingRight);
  list('missing on the left (only right has them)', r.missingLeft);
  if (!r.equal && r.ranges.length > 0) {
    const shown = r.ranges.map((x) => `(${x.lo ?? '-∞'}, ${x.hi ?? '+∞'}]`).join(', ');
    lines.push(`differing key ranges (${r.differingChunks}): ${shown}`);
  }
  return lines;
}
