import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/errors/stepwise-error.js';
import { checkConnectionExpect } from '../../src/db/check-connection-expect.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe.each(databaseKinds)('the expect guard of a connection on %s', (kind) => {
  describe.skipIf(noServer(kind))('', () => {
    let db: TestDatabase;
    let actual: { database: string; version: string; id: string };
    beforeAll(async () => {
      db = await openTestDatabase(kind, { name: 'app' });
      const { rows } = await db.conn.query<{ database: string; version: string; id: string }>(
        "SELECT current_database() AS database, current_setting('server_version') AS version, " +
          '(SELECT system_identifier::text FROM pg_control_system()) AS id',
      );
      actual = rows[0];
    });
    afterAll(async () => {
      await db?.close();
    });

    it('lets the run start on the server the runbook was written for', async () => {
      const major = actual.version.split('.')[0];
      await checkConnectionExpect(db.conn, {
        database: actual.database,
        server_version: major,
        system_identifier: actual.id,
      });
      await checkConnectionExpect(db.conn, { server_version: actual.version.split(' ')[0] });
    });

    it('refuses the wrong server, stating expected and actual and that nothing ran', async () => {
      const error = await checkConnectionExpect(db.conn, {
        database: 'billing',
        server_version: '9',
        system_identifier: '42',
      }).catch((e: StepwiseError) => e);
      expect(error).toBeInstanceOf(StepwiseError);
      expect((error as StepwiseError).kind).toBe('usage');
      const { message } = error as StepwiseError;
      expect(message).toContain(`connection app (${db.conn.target}) is not the expected server`);
      expect(message).toContain(`database is "${actual.database}", expected "billing"`);
      expect(message).toContain(`server_version is ${actual.version}, expected 9`);
      expect(message).toContain(`system_identifier is ${actual.id}, expected 42`);
      expect(message).toContain('Nothing ran');
    });

    it('takes a version range, a primary and an empty database name (not checked)', async () => {
      await checkConnectionExpect(db.conn, { server_version: '>=15 <19', primary: true, database: '' });
      await expect(checkConnectionExpect(db.conn, { server_version: '>=19' })).rejects.toThrow(
        `server_version is ${actual.version}, expected >=19`,
      );
    });

    it('does not take "1" for version 15 or 18', async () => {
      await expect(checkConnectionExpect(db.conn, { server_version: '1' })).rejects.toThrow(
        /server_version is/,
      );
    });
  });
});
