// SQL that turns one column into comparable text. The read transaction also fixes TimeZone (UTC),
// DateStyle, IntervalStyle, extra_float_digits and bytea_output, so plain ::text output is the same
// on any server; the cases below make equal values of related types print the same.
const isoTime = `'YYYY-MM-DD"T"HH24:MI:SS.US'`;

export function normaliseValue(expr: string, type: string): string {
  switch (type) {
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return `CASE WHEN isfinite(${expr}) THEN to_char(${expr}, ${isoTime}) ELSE ${expr}::text END`;
    case 'numeric':
      return `trim_scale(${expr})::text`;
    case 'json':
      return `${expr}::jsonb::text`;
    default:
      return `${expr}::text`;
  }
}

// Settings of every compare read transaction, one round trip.
export const normalisedSession = `SELECT set_config('TimeZone', 'UTC', true) AS a, set_config('DateStyle', 'ISO, YMD', true) AS b,
  set_config('IntervalStyle', 'iso_8601', true) AS c, set_config('extra_float_digits', '1', true) AS d,
  set_config('bytea_output', 'hex', true) AS e`;

// One row as text: an array literal keeps NULL (unquoted NULL) apart from '' ("") and from the
// string 'NULL' ("NULL"), and never lets values run into each other.
export function rowText(columns: Array<{ sql: string; type: string }>, alias: string): string {
  return `ARRAY[${columns.map((c) => normaliseValue(`${alias}.${c.sql}`, c.type)).join(', ')}]::text`;
}
