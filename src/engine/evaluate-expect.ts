import type { ExpectMap, ExpectValue } from '../runbook/schema.js';

// Compares the first row of a check's result (and its row count, under the key `rows`) with the
// runbook's `expect`, the way an operator reads it: count(*) arrives as the text "0" and equals 0,
// "t" equals true, numeric "1.50" equals 1.5.

export interface ExpectOutcome {
  ok: boolean;
  expected: Record<string, unknown>;
  actual: Record<string, unknown>;
  failures: string[];
}

type Scalar = string | number | boolean | null;
type Comparison = Exclude<ExpectValue, Scalar>;
const opSymbols = { eq: '=', ne: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;
type Op = keyof typeof opSymbols;

const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function asNumber(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value !== 'string' || !numberPattern.test(value.trim())) return undefined;
  const text = value.trim();
  // Integers beyond 2^53 (int8 as text) keep their precision.
  return /^[+-]?\d{16,}$/.test(text) ? BigInt(text) : Number(text);
}

function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 't' || text === 'true') return true;
  if (text === 'f' || text === 'false') return false;
  return undefined;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

// Negative, zero or positive like a comparator; undefined when the two cannot be ordered.
function order(actual: unknown, expected: Scalar): number | undefined {
  const a = asNumber(actual);
  const e = asNumber(expected);
  if (a !== undefined && e !== undefined) return a < e ? -1 : a > e ? 1 : 0;
  if (typeof expected !== 'string' || actual === null || actual === undefined) return undefined;
  const text = textOf(actual);
  return text < expected ? -1 : text > expected ? 1 : 0;
}

function equals(actual: unknown, expected: Scalar): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (typeof expected === 'boolean' || typeof actual === 'boolean') {
    const a = asBoolean(actual);
    return a !== undefined && a === asBoolean(expected);
  }
  if (textOf(actual) === String(expected)) return true;
  const a = asNumber(actual);
  const e = asNumber(expected);
  return a !== undefined && e !== undefined && !(a < e) && !(a > e);
}

function holds(op: Op, actual: unknown, expected: Scalar): boolean {
  if (op === 'eq') return equals(actual, expected);
  if (op === 'ne') return !equals(actual, expected);
  const o = order(actual, expected);
  if (o === undefined) return false;
  return op === 'lt' ? o < 0 : op === 'lte' ? o <= 0 : op === 'gt' ? o > 0 : o >= 0;
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return asNumber(value) !== undefined ? value.trim() : `'${value}'`;
  if (Array.isArray(value)) return value.map(formatValue).join(' or ');
  return textOf(value);
}

function comparisons(value: ExpectValue): Array<[Op, Scalar]> {
  if (value === null || typeof value !== 'object') return [['eq', value]];
  return (Object.entries(value as Comparison) as Array<[Op, Scalar | undefined]>).filter(
    (entry): entry is [Op, Scalar] => entry[1] !== undefined,
  );
}

// "= 0", "< 10 and >= 2": what a key is expected to be.
function describeCondition(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `= ${formatValue(value)}`;
  return comparisons(value as Comparison)
    .map(([op, v]) => `${opSymbols[op]} ${formatValue(v)}`)
    .join(' and ');
}

// "n = 0, status = 'done'"
export function describeExpected(expected: Record<string, unknown>): string {
  return Object.entries(expected)
    .map(([key, value]) => `${key} ${describeCondition(value)}`)
    .join(', ');
}

// "n = 3, status = 'running'"
export function describeActual(actual: Record<string, unknown>): string {
  return Object.entries(actual)
    .map(([key, value]) => `${key} = ${formatValue(value)}`)
    .join(', ');
}

// Values as the journal can hold them (JSON): no BigInt, no Date objects, no byte arrays.
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  return value === undefined ? null : value;
}

export function evaluateExpect(expect: ExpectMap, rows: Record<string, unknown>[]): ExpectOutcome {
  const actual: Record<string, unknown> = {};
  const failures: string[] = [];
  const first = rows[0];
  for (const [key, value] of Object.entries(expect)) {
    let got: unknown;
    if (key === 'rows') {
      got = rows.length;
    } else if (!first) {
      failures.push(`${key}: the query returned no rows, expected ${key} ${describeCondition(value)}`);
      continue;
    } else if (!Object.hasOwn(first, key)) {
      failures.push(
        `${key} is not a column of the result (columns: ${Object.keys(first).join(', ') || 'none'})`,
      );
      continue;
    } else {
      got = jsonSafe(first[key]);
    }
    actual[key] = got;
    const failed = comparisons(value).filter(([op, v]) => !holds(op, got, v));
    if (failed.length) {
      const wanted = failed.map(([op, v]) =>
        op === 'eq' ? formatValue(v) : `${opSymbols[op]} ${formatValue(v)}`,
      );
      failures.push(`${key} = ${formatValue(got)}, expected ${wanted.join(' and ')}`);
    }
  }
  return { ok: failures.length === 0, expected: expect, actual, failures };
}
