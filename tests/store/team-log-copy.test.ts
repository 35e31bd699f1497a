import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilValue } from '../helpers/until-value.js';
import { runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

// Host A's engine copies step logs into the state database; host B reads them with `log`. The
// database refuses some chunk writes (triggers the test installs): a refused chunk is written again
// from the file, and a log that cannot get there is said to be incomplete, never cut short silently.

describe.skipIf(!testDatabaseUrl)('step logs copied into the state database', () => {
  let db: ScratchDatabase;
  let hostA: string;
  let hostB: string;
  beforeAll(async () => {
    db = await createScratchDatabase('logcopy');
    hostA = tempStateDir('stepwise-logs-a-');
    hostB = tempStateDir('stepwise-logs-b-');
    // The first command against the database makes the stepwise schema.
    expect((await runCli(['status', '--state', db.url], { stateDir: hostA })).exitCode).toBe(0);
  });
  afterAll(async () => db?.drop());

  const on = (stateDir: string, host: string) => ({ stateDir, env: { STEPWISE_STATE: db.url, STEPWISE_HOST_ID: host } });
  const runIdOf = async (runbook: string) =>
    untilValue(async () => (await db.query<{ run_id: string }>('SELECT run_id FROM stepwise.runs WHERE runbook = $1', [runbook]))[0]?.run_id);
  const hideLogs = (runId: string) => renameSync(join(hostA, 'runs', runId, 'logs'), join(hostA, 'runs', runId, 'logs.away'));
  // A runbook whose one step prints `first`, waits for the test's go file, then prints `then`.
  const waitingRunbook = (name: string, first: string, then: string) => {
    const go = join(hostA, `${name}.go`);
    const path = join(hostA, `${name}.yaml`);
    writeFileSync(
      path,
      `version: 1\nname: ${name}\nphases:\n  - id: main\n    steps:\n      - id: ${name}\n` +
        `        run: { shell: "${first}; while [ ! -e ${go} ]; do sleep 0.05; done; ${then}" }\n`,
    );
    return { path, go };
  };

  it('a chunk the database refused is written again from the file: host B reads the log byte for byte', async () => {
    await db.query(`CREATE SEQUENCE chunk_writes;
      CREATE FUNCTION refuse_first_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.log = 'numbers.1.log' AND nextval('chunk_writes') = 1 THEN RAISE EXCEPTION 'the test refuses this chunk'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_first BEFORE INSERT ON stepwise.log_chunks FOR EACH ROW EXECUTE FUNCTION refuse_first_chunk()`);
    // After the refused chunk, more than 2 MiB: the rest goes in several chunks.
    const { path, go } = waitingRunbook('numbers', 'seq 1 3', 'seq 1 400000');
    const a = startCli(['run', path, '--plain', '--yes'], on(hostA, 'bastion-a'));
    await untilValue(async () => ((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM chunk_writes WHERE is_called"))[0].n > 0 ? true : undefined));
    expect(await db.query("SELECT 1 FROM stepwise.log_chunks WHERE log = 'numbers.1.log'")).toEqual([]);
    writeFileSync(go, '');
    expect((await a).exitCode).toBe(0);

    const runId = await runIdOf('numbers');
    const local = readFileSync(join(hostA, 'runs', runId, 'logs', 'numbers.1.log'));
    expect(local.length).toBeGreaterThan(2 * 1024 * 1024);
    const [stored] = await db.query<{ bytes: number; chunks: number; size: number }>(
      `SELECT sum(length(data))::int AS bytes, count(*)::int AS chunks,
              (SELECT size::int FROM stepwise.log_ends WHERE log = 'numbers.1.log') AS size
         FROM stepwise.log_chunks WHERE log = 'numbers.1.log'`,
    );
    expect(stored.bytes).toBe(local.length);
    expect(stored.chunks).toBeGreaterThan(1);
    expect(stored.size).toBe(local.length);
    const fromA = await runCli(['log', runId, 'numbers'], on(hostA, 'bastion-a'));
    // Host B sees no file of host A's (here, one machine: the file is moved away).
    hideLogs(runId);
    const fromB = await runCli(['log', runId, 'numbers'], on(hostB, 'bastion-b'));
    expect(fromB.exitCode).toBe(0);
    expect(fromB.stdout.length).toBeGreaterThan(local.length);
    expect(fromB.stdout).toBe(fromA.stdout);
  });

  it('a log that cannot get into the database is said in engine.log, and host B is told it is incomplete', async () => {
    await db.query(`CREATE FUNCTION refuse_later_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.log = 'stuck.1.log' AND NEW.start > 0 THEN RAISE EXCEPTION 'the test refuses this chunk'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_later BEFORE INSERT ON stepwise.log_chunks FOR EACH ROW EXECUTE FUNCTION refuse_later_chunks()`);
    const { path, go } = waitingRunbook('stuck', 'echo copied', 'echo never-copied');
    const a = startCli(['run', path, '--plain', '--yes'], on(hostA, 'bastion-a'));
    await untilValue(async () => ((await db.query("SELECT 1 FROM stepwise.log_chunks WHERE log = 'stuck.1.log'")).length ? true : undefined));
    writeFileSync(go, '');
    expect((await a).exitCode).toBe(0);

    const runId = await runIdOf('stuck');
    const engineLog = readFileSync(join(hostA, 'runs', runId, 'engine.log'), 'utf8');
    expect(engineLog).toContain('the log of step stuck (stuck.1.log) is not whole in the state database yet (the test refuses this chunk)');
    hideLogs(runId);
    const fromB = await runCli(['log', runId, 'stuck'], on(hostB, 'bastion-b'));
    expect(fromB.exitCode).toBe(0);
    expect(fromB.stdout).toContain('copied\n(may be incomplete: its engine did not confirm it whole in the state database; the whole log is ');
    expect(fromB.stdout).not.toContain('never-copied');
  });
});
