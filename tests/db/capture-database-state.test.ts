import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDatabaseState, diffDatabaseStates } from '../../src/db/capture-database-state.js';
import { databaseKinds, noServer, openTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe.each(databaseKinds)('the state of a database, before and after, on %s', (kind) => {
  describe.skipIf(noServer(kind))('', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await openTestDatabase(kind);
      await db.conn.query(`DO $$ BEGIN CREATE ROLE stepwise_reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
      await db.conn.query('CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric(10, 2), note text)');
      await db.conn.query("INSERT INTO orders (total, note) VALUES (1.50, 'a'), (2, 'b')");
    });
    afterAll(async () => {
      await db?.close();
    });

    it('is identical when nothing changed', async () => {
      const before = await captureDatabaseState(db.conn);
      expect(diffDatabaseStates(before, await captureDatabaseState(db.conn))).toEqual([]);
    });

    it('names a grant, a column type, a sequence position and a changed row', async () => {
      const before = await captureDatabaseState(db.conn);
      await db.conn.query('GRANT SELECT ON orders TO stepwise_reader');
      await db.conn.query('ALTER TABLE orders ALTER COLUMN note TYPE varchar(20)');
      await db.conn.query("SELECT nextval('orders_id_seq')");
      await db.conn.query("UPDATE orders SET note = 'c' WHERE id = 1");
      const differences = diffDatabaseStates(before, await captureDatabaseState(db.conn));
      expect(differences).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^only after: relation public\.orders .*stepwise_reader=r/),
          expect.stringMatching(/^only before: column public\.orders\.note #3 text /),
          expect.stringMatching(/^only after: column public\.orders\.note #3 character varying\(20\) /),
          'sequence public.orders_id_seq: last_value=2 is_called=t -> last_value=3 is_called=t',
          expect.stringMatching(/^table public\.orders: 2 rows, checksum \d+ -> 2 rows, checksum \d+$/),
        ]),
      );
    });

    it('leaves out the schemas it is told to', async () => {
      await db.conn.query('CREATE SCHEMA scratch_area');
      await db.conn.query('CREATE TABLE scratch_area.t (x int)');
      const state = await captureDatabaseState(db.conn, { excludeSchemas: ['scratch_area'] });
      expect(state.catalog.some((item) => item.includes('scratch_area'))).toBe(false);
      expect(Object.keys(state.tables)).toEqual(['public.orders']);
    });
  });
});
