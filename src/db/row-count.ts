// Commands whose count is "rows affected". Anything else (SELECT, DDL, CREATE TABLE AS, whose tag
// is SELECT n) counts the rows it returned.
export const writeCommands: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

export function rowCountOf(command: string, count: number, returned: number): number {
  return writeCommands.has(command) ? count : returned;
}
