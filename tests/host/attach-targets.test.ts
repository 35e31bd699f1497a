import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { endEngines, onlyRunId, watchFor } from '../helpers/engine-watch.js';
import { readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

const runbook = `version: 1
name: attach-pinned
connections:
  db: { url: { env: DATABASE_URL } }
phases:
  - id: main
    steps:
      - id: create
        sql: CREATE TABLE attach_marker (id int)
    gate: { signoff: { count: 2 } }
  - id: after
    steps:
      - id: drop
        sql: DROP TABLE attach_marker
`;

// The operator's story: a run's engine waits at a two-person gate; meanwhile the name its connection
// uses comes to mean another database (as after a DNS change or a pooler pointed elsewhere).
// Attaching compares the engine's live target with the one pinned at run.started, as resume does.
describe.skipIf(!testDatabaseUrl)('attaching to a run whose database was swapped underneath it', () => {
  let dbs: ScratchDatabase[] = [];
  let stateDir: string | undefined;
  const admin = testDatabaseUrl ? postgres(testDatabaseUrl, { max: 1, onnotice: () => {} }) : undefined;
  const moved: string[] = [];
  afterEach(async () => {
    if (stateDir) await endEngines(stateDir);
    await Promise.all(dbs.map((d) => d.drop()));
    for (const name of moved.splice(0)) await admin!.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    dbs = [];
  });

  it('refuses with exit 2 naming both targets, journals nothing; with no engine alive, attach starts none and resume refuses the same', async () => {
    const [db1, db2] = (dbs = await Promise.all([createScratchDatabase('attach'), createScratchDatabase('attach')]));
    stateDir = tempStateDir();
    const path = join(stateDir, 'attach.yaml');
    writeFileSync(path, runbook);
    const env = { DATABASE_URL: db1.url };
    const oid = async (name: string) =>
      (await admin!.unsafe('SELECT oid::text FROM pg_database WHERE datname = $1', [name]))[0].oid as string;
    const [oid1, oid2] = [await oid(db1.name), await oid(db2.name)];

    const started = await runCli(['run', path, '--detach', '--yes'], { stateDir, env });
    expect(started.exitCode, started.all).toBe(0);
    const waiting = await watchFor(stateDir, (e) => e.type === 'gate.signed');
    await waiting.event;
    waiting.client.close();

    // Same target: the check passes (and attach then wants a terminal for its screen).
    const same = await runCli(['attach'], { stateDir, env });
    expect(same.exitCode, same.all).toBe(2);
    expect(same.stderr).toContain('attach opens the TUI: run it in a terminal');

    // The engine's sessions end and the database name now leads to the other database.
    await admin!.unsafe('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ($1, $2)', [
      db1.name,
      db2.name,
    ]);
    moved.push(`${db1.name}_old`);
    await admin!.unsafe(`ALTER DATABASE "${db1.name}" RENAME TO "${db1.name}_old"`);
    await admin!.unsafe(`ALTER DATABASE "${db2.name}" RENAME TO "${db1.name}"`);
    const journal = join(stateDir, 'runs', onlyRunId(stateDir), 'journal.jsonl');
    const before = readEvents(journal).length;

    const refused = await runCli(['attach'], { stateDir, env });
    expect(refused.exitCode, refused.all).toBe(2);
    expect(refused.stderr).toContain(`connection db belongs to postgres://postgres@127.0.0.1:5432/${db1.name} (database ${db1.name}, oid ${oid1}`);
    expect(refused.stderr).toContain(`but now points at postgres://postgres@127.0.0.1:5432/${db1.name} (database ${db1.name}, oid ${oid2}`);
    expect(readEvents(journal)).toHaveLength(before);

    // No engine alive: attach starts none, and resume (which would) refuses the same way.
    await endEngines(stateDir);
    const none = await runCli(['attach'], { stateDir, env });
    expect(none.exitCode, none.all).toBe(2);
    expect(none.stderr).toContain('no engine serves run');
    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir, env });
    expect(resumed.exitCode, resumed.all).toBe(2);
    expect(resumed.stderr).toContain(`oid ${oid1}`);
    expect(resumed.stderr).toContain(`but now points at`);
  });
});
