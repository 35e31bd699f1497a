// postgres://user:secret@host:5432/app?sslmode=require → postgres://user@host:5432/app.
// The password and the query string (which may carry `password=`) never leave this function.
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = decodeURIComponent(u.username);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || user || 'postgres';
    return `${u.protocol}//${user ? `${user}@` : ''}${host}:${u.port || '5432'}/${db}`;
  } catch {
    // Multi-host URLs (h1:5432,h2:5432) are not WHATWG URLs: drop the password and query by hand.
    return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@]*@/i, '$1@').replace(/\?.*$/, '');
  }
}
