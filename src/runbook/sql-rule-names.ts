// The SQL safety rules of `stepwise lint` (sql-safety-rules.ts), by the names a step's
// `lint: { allow: [...] }` may give.
export const sqlRuleNames = [
  'index-concurrently',
  'concurrently-in-transaction',
  'constraint-not-valid',
  'set-not-null',
  'volatile-default',
  'alter-column-type',
  'destructive-statement',
  'missing-where',
  'production-confirm',
  'lock-timeout',
  'backfill-idempotent',
] as const;

export type SqlRuleName = (typeof sqlRuleNames)[number];
