import { isIntegerKey, type TableColumn } from './inspect-source.js';
import type { KeyValue } from './keyset-sql.js';

// How a key appears in batch.committed: a number for an integer key (when exact), a string for
// another single-column key, an array for a composite key; null before the first key.
export function journalKey(value: KeyValue | null, key: TableColumn[]): unknown {
  if (value === null) return null;
  if (key.length > 1) return value;
  if (isIntegerKey(key)) {
    const n = Number(value[0]);
    if (Number.isSafeInteger(n)) return n;
  }
  return value[0];
}

// An integer key as a number for estimates (approximate beyond 2^53, which is fine there).
export function keyNumber(value: KeyValue | undefined | null, key: TableColumn[]): number | undefined {
  return value && isIntegerKey(key) ? Number(value[0]) : undefined;
}
