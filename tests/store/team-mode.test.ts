import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

// Alice runs a runbook journaled in the team's PostgreSQL from her bastion; Bob, on another
// bastion with a state directory of his own, sees it, verifies it, reads its logs, and archives
// it as a file journal that verifies on its own and imports into another database unchanged.

function withPassword(url: string): string {
  const u = new URL(url);
  u.password = 's3cret-pw';
  return u.toString();
}

describe.skipIf(!testDatabaseUrl)('a run journaled in the team state database', () => {
  let state: ScratchDatabase;
  let archive: ScratchDatabase;
  let url: string;
  const alice = tempStateDir('stepwise-alice-');
  const bob = tempStateDir('stepwise-bob-');
  const runbook = join(alice, 'hello.yaml');

  beforeAll(async () => {
    state = await createScratchDatabase('team');
    archive = await createScratchDatabase('archive');
    url = withPassword(state.url);
    writeFileSync(
      runbook,
      `version: 1
name: hello
phases:
  - id: main
    steps:
      - id: greet
        run: { shell: "echo hello from alice" }
      - id: again
        run: { shell: "printf 'no newline'" }
`,
    );
  });
  afterAll(async () => {
    await state?.drop();
    await archive?.drop();
  });

  it('is seen, verified, logged, exported and imported from another host, its password never shown', async () => {
    const run = await runCli(['run', runbook, '--plain', '--yes', '--state', url], { stateDir: alice, env: { STEPWISE_HOST_ID: 'bastion-a' } });
    expect(run.all).not.toContain('s3cret-pw');
    expect(run.exitCode).toBe(0);
    const [{ run_id: runId }] = await state.query<{ run_id: string }>('SELECT run_id FROM stepwise.runs');

    const onBob = { stateDir: bob, env: { STEPWISE_STATE: url, STEPWISE_HOST_ID: 'bastion-b' } };
    const status = await runCli(['status'], onBob);
    expect(status.all).toMatch(new RegExp(`${runId}\\s+succeeded\\s+2/2`));
    const verify = await runCli(['verify', runId], onBob);
    expect(verify.all).toContain(`${runId}: journal intact: 8 events, hash chain ok`);
    expect(verify.exitCode).toBe(0);
    const log = await runCli(['log', 'hello'], onBob);
    expect(log.all).toContain('hello from alice');
    expect(log.all).toContain('no newline');
    for (const result of [status, verify, log]) expect(result.all).not.toContain('s3cret-pw');

    const exported = tempStateDir('stepwise-export-');
    const exporting = await runCli(['export', runId, '--to', exported], onBob);
    expect(exporting.exitCode).toBe(0);
    const lines = readFileSync(join(exported, 'runs', runId, 'journal.jsonl'), 'utf8').split('\n').slice(0, -1);
    const stored = await state.query<{ line: string }>('SELECT line FROM stepwise.events ORDER BY seq');
    expect(lines).toEqual(stored.map((r) => r.line));
    const verifyFile = await runCli(['verify', runId], { stateDir: exported });
    expect(verifyFile.exitCode).toBe(0);
    expect((await runCli(['log', runId, 'greet'], { stateDir: exported })).all).toContain('hello from alice');

    const importing = await runCli(['import', exported, '--state', archive.url], { stateDir: bob });
    expect(importing.all).toContain(`imported ${runId}: 8 events`);
    const verifyImported = await runCli(['verify', runId, '--state', archive.url], { stateDir: bob });
    expect(verifyImported.all).toContain('journal intact: 8 events');
    const twice = await runCli(['import', exported, '--state', archive.url], { stateDir: bob });
    expect(twice.all).toContain(`run ${runId} is in the state database already`);
    expect(twice.exitCode).toBe(2);
  });
});
