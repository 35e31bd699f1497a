import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

const runbook = `version: 1
name: phrase-on-production
connections:
  db: { url: { env: DATABASE_URL }, production: true }
phases:
  - id: cleanup
    steps:
      - id: drop-legacy
        confirm: drop legacy
        sql: DROP TABLE legacy
`;

describe.skipIf(!testDatabaseUrl)('a typed phrase on production, headless', () => {
  let db: ScratchDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('--yes never types it: the run stops (exit 3) naming the step, and --confirm STEP=PHRASE types it', async () => {
    db = await createScratchDatabase('phrase');
    await db.query('CREATE TABLE legacy (id int)');
    const stateDir = tempStateDir();
    const path = join(stateDir, 'phrase.yaml');
    writeFileSync(path, runbook);
    const env = { DATABASE_URL: db.url };

    const yes = await runCli(['run', path, '--plain', '--yes'], { stateDir, env });
    expect(yes.exitCode, yes.all).toBe(3);
    expect(yes.stderr).toContain(
      'step drop-legacy writes to production and needs its phrase typed; --yes never types it: give --confirm drop-legacy="drop legacy"',
    );
    expect(await db.query("SELECT to_regclass('legacy')::text AS t")).toEqual([{ t: 'legacy' }]);

    const wrong = await runCli(['resume', '--plain', '--yes', '--confirm', 'drop-legacy=drop it'], { stateDir, env });
    expect(wrong.exitCode, wrong.all).not.toBe(0);
    expect(wrong.stderr).toContain('needs the phrase "drop legacy" typed exactly');
    expect(await db.query("SELECT to_regclass('legacy')::text AS t")).toEqual([{ t: 'legacy' }]);

    const typed = await runCli(['resume', '--plain', '--confirm', 'drop-legacy=drop legacy'], { stateDir, env });
    expect(typed.exitCode, typed.all).toBe(0);
    expect(await db.query("SELECT to_regclass('legacy')::text AS t")).toEqual([{ t: null }]);
    const run = readdirSync(join(stateDir, 'runs'))[0];
    const signed = readEvents(join(stateDir, 'runs', run, 'journal.jsonl')).filter((e) => e.type === 'step.signed');
    expect(signed).toEqual([expect.objectContaining({ step: 'drop-legacy', purpose: 'confirm', note: 'typed with --confirm' })]);
  });
});

const reversible = `version: 1
name: phrase-rollback
connections:
  db: { url: { env: DATABASE_URL }, production: true }
phases:
  - id: cut
    steps:
      - id: retire-legacy
        confirm: retire legacy
        point_of_no_return: true
        sql: ALTER TABLE legacy RENAME TO legacy_retired
        rollback: { sql: ALTER TABLE legacy_retired RENAME TO legacy }
`;

describe.skipIf(!testDatabaseUrl)('rolling back past a typed phrase on production, headless', () => {
  let db: ScratchDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('--yes does not type it: the rollback stops (exit 3) naming the step, --confirm STEP=PHRASE rolls back', async () => {
    db = await createScratchDatabase('phrase_back');
    await db.query('CREATE TABLE legacy (id int)');
    const stateDir = tempStateDir();
    const path = join(stateDir, 'phrase-rollback.yaml');
    writeFileSync(path, reversible);
    const env = { DATABASE_URL: db.url };
    const ran = await runCli(['run', path, '--plain', '--confirm', 'retire-legacy=retire legacy'], { stateDir, env });
    expect(ran.exitCode, ran.all).toBe(0);

    const yes = await runCli(['rollback', '--plain', '--yes'], { stateDir, env });
    expect(yes.exitCode, yes.all).toBe(3);
    expect(yes.stderr).toContain(
      'rolling back passes back over retire-legacy, which needed its phrase typed to run: type "retire legacy" ' +
        '(headless: --confirm retire-legacy="retire legacy")',
    );
    expect(await db.query("SELECT to_regclass('legacy_retired')::text AS t")).toEqual([{ t: 'legacy_retired' }]);
    const run = readdirSync(join(stateDir, 'runs'))[0];
    const journal = join(stateDir, 'runs', run, 'journal.jsonl');
    expect(readEvents(journal).some((e) => e.type === 'rollback.started')).toBe(false);

    const typed = await runCli(['rollback', '--plain', '--yes', '--confirm', 'retire-legacy=retire legacy'], { stateDir, env });
    expect(typed.exitCode, typed.all).toBe(0);
    expect(await db.query("SELECT to_regclass('legacy')::text AS t")).toEqual([{ t: 'legacy' }]);
  });
});
