import type { TableColumn } from './inspect-source.js';

// A key value as text, one element per key column: bound as parameters and cast to the column
// type in SQL, so integer, text, uuid and composite keys travel the same way.
export type KeyValue = string[];

function tuple(parts: string[]): string {
  return parts.length === 1 ? parts[0] : `(${parts.join(', ')})`;
}

// `$n::type` placeholders for one key value, starting at parameter number `first`.
function params(key: TableColumn[], first: number): string {
  return tuple(key.map((c, i) => `$${first + i}::${c.type}`));
}

// The key's columns as a select list: a, b.
export function keyColumnList(key: TableColumn[]): string {
  return key.map((c) => c.sql).join(', ');
}

export function keyColumns(key: TableColumn[]): string {
  return tuple(key.map((c) => c.sql));
}

// Row-value comparison for composite keys: (a, b) > ($1, $2) is what a btree range scan follows.
export function keyAbove(key: TableColumn[], first: number): string {
  return `${keyColumns(key)} > ${params(key, first)}`;
}

export function keyAtMost(key: TableColumn[], first: number): string {
  return `${keyColumns(key)} <= ${params(key, first)}`;
}

export function keyOrder(key: TableColumn[], direction: 'ASC' | 'DESC'): string {
  return key.map((c) => `${c.sql} ${direction}`).join(', ');
}

// Select list reading a key as text columns k0, k1, …
export function keyAsText(key: TableColumn[]): string {
  return key.map((c, i) => `${c.sql}::text AS k${i}`).join(', ');
}

export function readKey(row: Record<string, unknown>, key: TableColumn[], prefix = 'k'): KeyValue {
  return key.map((_, i) => String(row[`${prefix}${i}`]));
}

export function sameKey(a: KeyValue | undefined, b: KeyValue | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

// For output lines: 640000, or (7, abc) for a composite key.
export function showKey(value: KeyValue): string {
  return value.length === 1 ? value[0] : `(${value.join(', ')})`;
}
