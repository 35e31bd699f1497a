import postgres from 'postgres';

// When TEST_DATABASE_URL is set (always in CI) the PostgreSQL tests must run: an unreachable
// server fails the whole suite instead of skipping it.
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  // The PostgreSQL tests skip without a server (a laptop); CI must never skip them.
  if (!url && process.env.CI) throw new Error('CI=true without TEST_DATABASE_URL: the PostgreSQL tests would be skipped');
  if (!url) return;
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL=${url} is not reachable: ${(error as Error).message}`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
