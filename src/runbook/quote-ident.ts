import { StepwiseError } from '../errors/stepwise-error.js';

// `{{ ident vars.t }}`: a value that names a table or column, double-quoted so it stays a name.
// `schema.table` becomes "schema"."table".
export function quoteIdent(value: string): string {
  const parts = value.split('.');
  if (parts.some((part) => part.length === 0)) {
    throw new StepwiseError(
      `"${value}" is not a valid SQL name for {{ ident … }}; give a name such as tasks or app.tasks`,
    );
  }
  return parts.map((part) => `"${part.replace(/"/g, '""')}"`).join('.');
}
