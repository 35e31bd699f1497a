import type { ExpectValue } from '../runbook/schema.js';

const operators: Record<string, string> = { eq: '=', ne: '≠', lt: '<', lte: '≤', gt: '>', gte: '≥' };

// A value as a person reads it: strings bare, objects as compact JSON.
export function describeValue(value: unknown): string {
  if (value === undefined) return '-';
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// An expectation from a runbook: `0`, `> 0`, `≥ 1 and < 10`.
export function describeExpectation(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Exclude<ExpectValue, null | string | number | boolean>);
    if (entries.length > 0 && entries.every(([op]) => op in operators)) {
      return entries.map(([op, v]) => `${operators[op]} ${describeValue(v)}`).join(' and ');
    }
  }
  return describeValue(value);
}
