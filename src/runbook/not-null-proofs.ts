import type { AlterTableCmd, ColumnRef, Constraint, NullTest } from 'libpg-query';

// What makes `SET NOT NULL` cheap: a valid `CHECK (col IS NOT NULL)` on the table lets
// PostgreSQL skip its scan. Collected across the runbook in order, so a constraint added
// NOT VALID in one step and validated in a later one counts for the steps after it.
export class NotNullProofs {
  // `CHECK (col IS NOT NULL) NOT VALID` constraints not validated yet, by table and name.
  private readonly pending = new Map<string, string>();
  private readonly proven = new Set<string>();

  // `table` names the table with its connection, so two databases never mix.
  see(table: string, cmd: AlterTableCmd): void {
    if (cmd.subtype === 'AT_ValidateConstraint' && cmd.name) {
      const column = this.pending.get(`${table}\0${cmd.name}`);
      if (column !== undefined) this.proven.add(`${table}\0${column}`);
      return;
    }
    const constraint = (cmd.def as { Constraint?: Constraint } | undefined)?.Constraint;
    if (cmd.subtype !== 'AT_AddConstraint' || constraint?.contype !== 'CONSTR_CHECK') return;
    const column = notNullColumn(constraint.raw_expr);
    if (column === undefined) return;
    if (!constraint.skip_validation) this.proven.add(`${table}\0${column}`);
    else if (constraint.conname) this.pending.set(`${table}\0${constraint.conname}`, column);
  }

  has(table: string, column: string): boolean {
    return this.proven.has(`${table}\0${column}`);
  }
}

// The column of `col IS NOT NULL`, alone in the expression.
function notNullColumn(expr: unknown): string | undefined {
  const test = (expr as { NullTest?: NullTest } | undefined)?.NullTest;
  if (test?.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = (test.arg as { ColumnRef?: ColumnRef } | undefined)?.ColumnRef?.fields ?? [];
  if (fields.length !== 1) return undefined;
  return (fields[0] as { String?: { sval?: string } }).String?.sval;
}
