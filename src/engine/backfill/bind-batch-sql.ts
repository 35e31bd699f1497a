import { ExitCode, StepwiseError } from '../../cli/exit-codes.js';
import type { Renderer } from '../../runbook/render.js';
import { findSqlParams } from '../../runbook/sql-placeholders.js';
import type { TableColumn } from './inspect-source.js';
import type { KeyValue } from './keyset-sql.js';

// The runbook's batch SQL, rendered once, with the key range bound per batch:
// `:lo` (exclusive) and `:hi` (inclusive); for a composite key `:lo_<column>` and `:hi_<column>`.
export interface BatchSql {
  text: string;
  params(lo: KeyValue, hi: KeyValue): unknown[];
}

interface Slot {
  bound: 'lo' | 'hi';
  at: number;
}

export function boundNames(key: TableColumn[]): { lo: string[]; hi: string[] } {
  if (key.length === 1) return { lo: ['lo'], hi: ['hi'] };
  return { lo: key.map((c) => `lo_${c.name}`), hi: key.map((c) => `hi_${c.name}`) };
}

function example(key: TableColumn[]): string {
  if (key.length === 1) return `WHERE ${key[0].name} > :lo AND ${key[0].name} <= :hi`;
  const cols = key.map((c) => c.name).join(', ');
  const names = boundNames(key);
  return `WHERE (${cols}) > (${names.lo.map((n) => `:${n}`).join(', ')}) AND (${cols}) <= (${names.hi.map((n) => `:${n}`).join(', ')})`;
}

// `requireBounds`: on one connection the SQL must limit itself to the batch's key range; across
// connections it reads the batch from _stepwise_batch and the bounds are optional.
export function bindBatchSql(
  render: Renderer,
  sql: string,
  key: TableColumn[],
  requireBounds: boolean,
): BatchSql {
  const names = boundNames(key);
  const used = new Set(findSqlParams(sql).map((p) => p.name));
  const missing = [...names.lo, ...names.hi].filter((n) => !used.has(n));
  if (requireBounds && missing.length > 0) {
    throw new StepwiseError(
      `backfill sql: ${missing.map((n) => `:${n}`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing; each batch must copy only its key range, e.g. ${example(key)}`,
      ExitCode.stepFailed,
    );
  }
  const markers = new Map<unknown, Slot>();
  const extra: Record<string, unknown> = {};
  for (const bound of ['lo', 'hi'] as const) {
    names[bound].forEach((name, at) => {
      const marker = { bound, at };
      markers.set(marker, marker);
      extra[name] = marker;
    });
  }
  const rendered = render.sql(sql, extra);
  const slots = rendered.params.map((p) => markers.get(p));
  return {
    text: rendered.text,
    params: (lo, hi) =>
      rendered.params.map((p, i) => {
        const slot = slots[i];
        return slot ? (slot.bound === 'lo' ? lo : hi)[slot.at] : p;
      }),
  };
}
