// A column name as a quoted SQL identifier: the name comes from the catalog or the runbook and
// always stays a name, whatever characters it holds.
export function quoteColumn(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
