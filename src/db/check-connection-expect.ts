import { StepwiseError } from '../errors/stepwise-error.js';
import type { Connection } from '../runbook/schema.js';
import type { DbConnection } from './connection.js';
import { describeDbError } from './describe-db-error.js';

// A semver range over the server's version: "15" matches 15.20, "15.4" matches 15.4, ">=15 <19"
// any major from 15 to 18; "15.2" does not match 15.20.
// semver is loaded only for a connection that expects a version.
async function versionMatches(actual: string, expected: string): Promise<boolean> {
  const [{ default: coerce }, { default: satisfies }, { default: validRange }] = await Promise.all([
    import('semver/functions/coerce.js'),
    import('semver/functions/satisfies.js'),
    import('semver/ranges/valid.js'),
  ]);
  const version = coerce(actual.split(' ')[0]);
  return version !== null && validRange(expected) !== null && satisfies(version, expected);
}

async function systemIdentifier(conn: DbConnection): Promise<string> {
  try {
    const { rows } = await conn.query<{ id: string }>(
      'SELECT system_identifier::text AS id FROM pg_control_system()',
    );
    return rows[0].id;
  } catch (error) {
    throw new StepwiseError(
      `connection ${conn.name} (${conn.target}): cannot read system_identifier to check expect: ` +
        `${describeDbError(error)}. Nothing ran; connect as a role that may call pg_control_system()`,
      'usage',
    );
  }
}

// Refuses a connection that is not the server the runbook was written for, before any step runs.
export async function checkConnectionExpect(
  conn: DbConnection,
  expect: NonNullable<Connection['expect']>,
): Promise<void> {
  const { rows } = await conn.query<{ database: string; server_version: string; in_recovery: boolean }>(
    "SELECT current_database() AS database, current_setting('server_version') AS server_version, " +
      'pg_is_in_recovery() AS in_recovery',
  );
  const actual = rows[0];
  const mismatches: string[] = [];
  if (expect.primary === true && actual.in_recovery) {
    mismatches.push('the server is a replica (in recovery), expected a primary');
  }
  if (expect.database && actual.database !== expect.database) {
    mismatches.push(`database is "${actual.database}", expected "${expect.database}"`);
  }
  if (expect.server_version !== undefined && !(await versionMatches(actual.server_version, expect.server_version))) {
    mismatches.push(`server_version is ${actual.server_version}, expected ${expect.server_version}`);
  }
  if (expect.system_identifier !== undefined) {
    const id = await systemIdentifier(conn);
    if (id !== expect.system_identifier) {
      mismatches.push(`system_identifier is ${id}, expected ${expect.system_identifier}`);
    }
  }
  if (mismatches.length === 0) return;
  throw new StepwiseError(
    `connection ${conn.name} (${conn.target}) is not the expected server: ${mismatches.join('; ')}. ` +
      'Nothing ran; point the connection at the right server or correct expect: in the runbook',
    'usage',
  );
}
