// The SQLSTATE of a database error from postgres.js or PGlite, also when wrapped in a cause.
export function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const lockNotAvailable = '55P03';
export const queryCanceled = '57014';
