import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenedRun, startRun } from '../../src/engine/open-run.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

const runbook = `version: 1
name: phase-on-production
connections:
  db: { url: { env: DATABASE_URL }, production: true }
phases:
  - id: schema
    steps:
      - id: add-table
        sql: CREATE TABLE audit (id int)
      - id: seed
        sql: INSERT INTO audit VALUES (1)
      - id: looks-right
        check: { sql: "SELECT count(*)::int AS n FROM audit", expect: { n: 1 } }
      - id: retire
        confirm: retire legacy
        sql: DROP TABLE legacy
`;

// Given a run on a production connection, when the operator runs the rest of a phase, then the
// engine answers what that needs and runs it on one confirmation.
describe.skipIf(!testDatabaseUrl)('running the rest of a phase on production', () => {
  let db: ScratchDatabase | undefined;
  let opened: OpenedRun | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    await db?.drop();
    db = undefined;
  });

  it('is refused without its one confirmation, then runs every step it listed and stops before the typed phrase', async () => {
    db = await createScratchDatabase('phase');
    await db.query('CREATE TABLE legacy (id int)');
    const stateDir = tempStateDir();
    const path = join(stateDir, 'phase.yaml');
    writeFileSync(path, runbook);
    opened = await startRun(path, { stateDir, vars: {}, env: { DATABASE_URL: db.url }, operator: 'ana' });
    const { engine } = opened;

    expect(engine.phaseRun()).toEqual({
      phase: 'schema',
      steps: ['add-table', 'seed', 'looks-right'],
      confirm: ['add-table', 'seed'],
      stopsBefore: { step: 'retire', why: 'its phrase is typed when it is about to run' },
    });

    await expect(engine.runPhase('schema')).rejects.toThrow('running the rest of phase schema needs its confirmation first');
    await expect(engine.runPhase('schema', { steps: ['add-table'] })).rejects.toThrow(
      'the confirmation of phase schema does not cover seed',
    );
    expect(engine.readJournal().map((e) => e.type)).toEqual(['run.started']);

    await engine.runPhase('schema', { steps: ['add-table', 'seed'] });
    const events = engine.readJournal();
    expect(events.filter((e) => e.type === 'step.signed')).toEqual([
      expect.objectContaining({ step: 'add-table', purpose: 'confirm', note: 'confirmed with the rest of phase schema' }),
      expect.objectContaining({ step: 'seed', purpose: 'confirm', note: 'confirmed with the rest of phase schema' }),
    ]);
    expect(events.filter((e) => e.type === 'step.succeeded').map((e) => e.step)).toEqual([
      'add-table',
      'seed',
      'looks-right',
    ]);
    expect(engine.next()).toEqual({ kind: 'step', step: 'retire', needs: 'phrase' });
    expect(await db.query("SELECT to_regclass('legacy')::text AS t")).toEqual([{ t: 'legacy' }]);
  });
});
