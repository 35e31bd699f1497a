// The connection went away under a statement: postgres.js's own codes, the socket's, and the
// server's "terminating connection" (admin shutdown, crash shutdown, cannot connect now).
const lostConnection = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNRESET',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);

// A database error as one line for the operator: the message, then PostgreSQL's detail and hint.
export function describeDbError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (lostConnection.has((error as { code?: string }).code ?? '')) {
    return (
      `the connection to the server was lost (${error.message}): the server restarted, or the session was ended; ` +
      'what the statement did in a transaction was rolled back by the server'
    );
  }
  const { detail, hint } = error as Error & { detail?: string; hint?: string };
  return `${error.message}${detail ? ` (${detail})` : ''}${hint ? `; hint: ${hint}` : ''}`;
}
