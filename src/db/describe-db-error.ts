// A database error as one line for the operator: the message, then PostgreSQL's detail and hint.
export function describeDbError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { detail, hint } = error as Error & { detail?: string; hint?: string };
  return `${error.message}${detail ? ` (${detail})` : ''}${hint ? `; hint: ${hint}` : ''}`;
}
