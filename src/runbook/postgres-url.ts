// Connections are PostgreSQL only: any other scheme (a typo such as postgress://, or mysql://) is
// refused before anything connects, rather than read as something else.
export const postgresUrlPattern = /^postgres(ql)?:\/\//i;

// Why a connection's URL cannot be used, or undefined; `shown` is the URL with its password removed.
export function wrongUrlScheme(url: string, shown: string): string | undefined {
  if (postgresUrlPattern.test(url.trim())) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1];
  return `${scheme ? `${scheme}:// is not PostgreSQL` : `"${shown}" is not a URL`}: a connection URL starts with postgres:// or postgresql://`;
}
