import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';
import { createTarget, type Target, targetKinds } from '../helpers/targets.js';

describe.each(targetKinds)('a run rolled back all the way, on %s', (kind) => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('refuses a second rollback (exit 2) and appends nothing to the finished journal', async () => {
    const stateDir = tempStateDir();
    const path = join(stateDir, 'twice.yaml');
    writeFileSync(
      path,
      `version: 1
name: rollback-twice
connections:
  db: { url: { env: DATABASE_URL }, embedded: twice }
phases:
  - id: main
    steps:
      - id: create
        sql: CREATE TABLE twice_rows (id int)
        rollback: { sql: DROP TABLE twice_rows }
`,
    );
    target = await createTarget(kind, stateDir, 'twice');
    expect((await runCli(['run', path, '--plain'], { stateDir, env: target.env })).exitCode).toBe(0);
    const first = await runCli(['rollback', '--plain', '--yes'], { stateDir, env: target.env });
    expect(first.exitCode, first.all).toBe(0);
    const journal = join(stateDir, 'runs', readdirSync(join(stateDir, 'runs'))[0], 'journal.jsonl');
    const finished = readEvents(journal);
    expect(finished.at(-1)).toMatchObject({ type: 'run.finished', outcome: 'rolled_back' });

    const second = await runCli(['rollback', '--plain', '--yes'], { stateDir, env: target.env });
    expect(second.exitCode, second.all).toBe(2);
    expect(second.stderr).toMatch(/has already been rolled back by tester .*; nothing is left to undo/);
    expect(readEvents(journal)).toEqual(finished);
  });
});
