import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { untilValue } from '../helpers/until-value.js';
import { runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

// Two bastions drive one run through the team's state database: host A starts it, host B takes
// it over once A's lease has run out. The test moves time by expiring the lease itself.

interface Row {
  seq: number;
  type: string;
  engine_id: string;
  line: string;
}

describe.skipIf(!testDatabaseUrl)('two hosts, one run in the state database', () => {
  let db: ScratchDatabase;
  let hostA: string;
  let hostB: string;
  beforeEach(async () => {
    db = await createScratchDatabase('hosts');
    hostA = tempStateDir('stepwise-host-a-');
    hostB = tempStateDir('stepwise-host-b-');
  });
  afterEach(async () => db?.drop());

  const onA = () => ({ stateDir: hostA, env: { STEPWISE_STATE: db.url, STEPWISE_HOST_ID: 'bastion-a', APP_URL: db.url } });
  const onB = () => ({ stateDir: hostB, env: { STEPWISE_STATE: db.url, STEPWISE_HOST_ID: 'bastion-b', APP_URL: db.url } });
  const events = () => db.query<Row>('SELECT seq::int, type, engine_id, line FROM stepwise.events ORDER BY seq');
  const expireLease = () => db.query("UPDATE stepwise.leases SET expires_at = now() - interval '1 second'");

  it('A is killed with -9 mid-backfill; B takes the run over and copies every row exactly once', async () => {
    await db.query(`CREATE TABLE source (id int PRIMARY KEY, v text);
      INSERT INTO source SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
      CREATE TABLE target (id int PRIMARY KEY, v text)`);
    const runbook = join(hostA, 'copy.yaml');
    writeFileSync(
      runbook,
      `version: 1
name: copy-rows
connections:
  app: { url: { env: APP_URL } }
phases:
  - id: main
    steps:
      - id: copy
        backfill:
          conn: app
          from: source
          key: id
          batch: 1000
          sql: INSERT INTO target SELECT id, v FROM source WHERE id > :lo AND id <= :hi
        idempotent: true
`,
    );
    // An uncommitted row at id 12000 holds the batch that reaches it: A copies up to there and waits.
    const holder = postgres(db.url, { max: 1, onnotice: () => {} });
    const held = await holder.reserve();
    await held.unsafe("BEGIN; INSERT INTO target VALUES (12000, 'held')");
    const a = startCli(['run', runbook, '--plain', '--yes'], onA());
    await untilValue(async () => {
      const [waiting] = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO target%'",
      );
      return waiting.n > 0 ? true : undefined;
    });
    const [lease] = await db.query<{ pid: number; host: string }>('SELECT pid, host FROM stepwise.leases');
    expect(lease.host).toBe('bastion-a');
    process.kill(lease.pid, 'SIGKILL');
    a.kill('SIGKILL');
    await a;
    await held.unsafe('ROLLBACK');
    held.release();
    await holder.end();

    const refused = await runCli(['resume', '--plain', '--yes'], onB());
    expect(refused.all).toContain('is driven by the engine on bastion-a');
    expect(refused.exitCode).toBe(4);
    await expireLease();
    const b = await runCli(['resume', '--plain', '--yes'], onB());
    expect(b.exitCode).toBe(0);

    const [copied] = await db.query<{ n: number; same: number }>(
      'SELECT count(*)::int AS n, count(*) FILTER (WHERE s.v = t.v)::int AS same FROM target t JOIN source s USING (id)',
    );
    expect(copied).toEqual({ n: 20000, same: 20000 });
    const journal = (await events()).map((r) => ({ ...r, event: JSON.parse(r.line) as Record<string, unknown> }));
    const resumed = journal.find((r) => r.type === 'run.resumed')!;
    expect(resumed.event).toMatchObject({ host: 'bastion-b', took_over: { host: 'bastion-a' } });
    expect(journal.filter((r) => r.seq > resumed.seq).every((r) => r.engine_id === resumed.engine_id)).toBe(true);
    const batches = journal.filter((r) => r.type === 'batch.committed').map((r) => r.event as { lo: string; hi: string });
    for (let i = 1; i < batches.length; i++) expect(Number(batches[i].lo)).toBe(Number(batches[i - 1].hi));

    const verify = await runCli(['verify', 'copy-rows'], onA());
    expect(verify.exitCode).toBe(0);
    const report = await runCli(['report', 'copy-rows'], onA());
    expect(report.all).toContain('bastion-a');
    expect(report.all).toMatch(/Resumed by\*\* \S+ on bastion-b \(pid \d+\) at .*, taking the run over from bastion-a \(pid \d+\) whose lease ran out/);
  });

  it('A is frozen with SIGSTOP while B takes over; woken, A journals nothing and says it lost the run', async () => {
    const go = join(hostA, 'go');
    const runbook = join(hostA, 'wait.yaml');
    writeFileSync(
      runbook,
      `version: 1
name: wait-for-go
phases:
  - id: main
    steps:
      - id: wait
        run: { shell: "while [ ! -e ${go} ]; do sleep 0.05; done; echo went" }
        idempotent: true
      - id: after
        run: { shell: "echo after" }
`,
    );
    const a = startCli(['run', runbook, '--plain', '--yes'], onA());
    // The state database's tables appear with A's first append.
    await untilValue(async () => ((await events().catch(() => [])).some((r) => r.type === 'step.process_started') ? true : undefined));
    const [lease] = await db.query<{ pid: number }>('SELECT pid FROM stepwise.leases');
    process.kill(lease.pid, 'SIGSTOP');
    try {
      await expireLease();
      writeFileSync(go, '');
      const b = await runCli(['resume', '--plain', '--yes'], onB());
      expect(b.exitCode).toBe(0);
    } finally {
      process.kill(lease.pid, 'SIGCONT');
    }
    const before = await events();
    const woken = await a;
    expect(woken.all).toMatch(/this engine lost run wait-for-go-\S+ to host bastion-b \(pid \d+\) at seq \d+; it journals nothing more/);
    expect(woken.exitCode).toBe(6);
    const after = await events();
    expect(after).toEqual(before);
    expect(after.at(-1)!.type).toBe('run.finished');
    expect((await runCli(['verify', 'wait-for-go'], onB())).exitCode).toBe(0);
  });
});
