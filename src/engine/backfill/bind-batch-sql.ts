import { StepwiseError } from '../../errors/stepwise-error.js';
import type { Renderer } from '../../runbook/render.js';
import { findSqlParams } from '../../runbook/sql-placeholders.js';
import type { TableColumn } from './inspect-source.js';
import type { KeyValue } from './keyset-sql.js';

// The runbook's batch SQL, rendered once, with the key range bound per batch: `:lo` (exclusive)
// and `:hi` (inclusive). For a composite key each becomes a row of bound values, so the SQL
// compares rows: `WHERE (tenant, id) > :lo AND (tenant, id) <= :hi`.
export interface BatchSql {
  text: string;
  params(lo: KeyValue, hi: KeyValue): unknown[];
}

const bounds = ['lo', 'hi'] as const;
type Bound = (typeof bounds)[number];

interface Slot {
  bound: Bound;
  at: number;
}

// Names the renderer binds for column `at` of a composite bound; not a name a runbook declares.
const slotName = (bound: Bound, at: number) => `stepwise_${bound}_${at + 1}`;

// `:lo` → `(:stepwise_lo_1, :stepwise_lo_2)`, at the positions PostgreSQL's scanner found.
function expandRows(sql: string, width: number): string {
  let out = sql;
  for (const p of findSqlParams(sql).reverse()) {
    if (p.name !== 'lo' && p.name !== 'hi') continue;
    const row = Array.from({ length: width }, (_, at) => `:${slotName(p.name as Bound, at)}`).join(', ');
    out = `${out.slice(0, p.start)}(${row})${out.slice(p.end)}`;
  }
  return out;
}

function example(key: TableColumn[]): string {
  const cols = key.length === 1 ? key[0].name : `(${key.map((c) => c.name).join(', ')})`;
  return `WHERE ${cols} > :lo AND ${cols} <= :hi`;
}

export function bindBatchSql(render: Renderer, sql: string, key: TableColumn[]): BatchSql {
  const used = new Set(findSqlParams(sql).map((p) => p.name));
  const missing = bounds.filter((n) => !used.has(n));
  if (missing.length > 0) {
    throw new StepwiseError(
      `backfill sql: ${missing.map((n) => `:${n}`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing; each batch must copy only its key range, e.g. ${example(key)}`,
      'stepFailed',
    );
  }
  const composite = key.length > 1;
  const markers = new Map<unknown, Slot>();
  const extra: Record<string, unknown> = {};
  for (const bound of bounds) {
    for (let at = 0; at < key.length; at++) {
      const marker: Slot = { bound, at };
      markers.set(marker, marker);
      extra[composite ? slotName(bound, at) : bound] = marker;
    }
  }
  const rendered = render.sql(composite ? expandRows(sql, key.length) : sql, extra);
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
