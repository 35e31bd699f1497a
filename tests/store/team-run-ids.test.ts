import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilValue } from '../helpers/until-value.js';
import { runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

// Two bastions start runs in one state database: the run's id is claimed there, so two hosts
// never meet on one id, and a run (or runbook) driven on one host is refused on the other.

// The run id the engine would choose at `at` (state-dir.ts, runIdBase).
const stampOf = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

describe.skipIf(!testDatabaseUrl)('run ids and one engine per run across hosts', () => {
  let db: ScratchDatabase;
  let hostA: string;
  let hostB: string;
  beforeAll(async () => {
    db = await createScratchDatabase('runids');
    hostA = tempStateDir('stepwise-ids-a-');
    hostB = tempStateDir('stepwise-ids-b-');
    // The first command against the database makes the stepwise schema.
    expect((await runCli(['status', '--state', db.url], { stateDir: hostA })).exitCode).toBe(0);
  });
  afterAll(async () => db?.drop());

  const on = (stateDir: string, host: string) => ({ stateDir, env: { STEPWISE_STATE: db.url, STEPWISE_HOST_ID: host } });
  const events = () => db.query<{ run_id: string; seq: number; type: string }>('SELECT run_id, seq::int, type FROM stepwise.events ORDER BY run_id, seq');

  it('host B starting the runbook in the second host A started it gets the next id, not a database error', async () => {
    const runbook = join(hostA, 'quick.yaml');
    writeFileSync(runbook, 'version: 1\nname: quick\nphases:\n  - id: main\n    steps:\n      - id: hello\n        run: { shell: "echo hello" }\n');
    // Host A's claims: every second B could start in, as if A had started the runbook in it.
    const now = Date.now();
    const claimed = Array.from({ length: 120 }, (_, i) => `quick-${stampOf(new Date(now - 2000 + i * 1000))}`);
    await db.query(`INSERT INTO stepwise.runs (run_id, runbook, host) SELECT unnest($1::text[]), 'quick', 'bastion-a'`, [claimed]);

    const b = await runCli(['run', runbook, '--plain', '--yes'], on(hostB, 'bastion-b'));
    expect(b.all).not.toMatch(/duplicate key|stepwise\.runs/);
    expect(b.exitCode).toBe(0);
    const [mine] = await db.query<{ run_id: string }>("SELECT run_id FROM stepwise.runs WHERE host = 'bastion-b'");
    expect(claimed).toContain(mine.run_id.replace(/-2$/, ''));
    expect(mine.run_id).toMatch(/^quick-\d{8}T\d{6}Z-2$/);
    expect((await events()).filter((e) => e.run_id === mine.run_id).at(-1)?.type).toBe('run.finished');
    // A claim that never journaled run.started is no run: status and `log quick` see B's run only.
    const status = await runCli(['status'], on(hostB, 'bastion-b'));
    expect(status.all).toContain(mine.run_id);
    expect(status.all).not.toContain(claimed[0]);
    const log = await runCli(['log', 'quick'], on(hostA, 'bastion-a'));
    expect(log.exitCode).toBe(0);
    expect(log.all).toContain('hello');
  });

  it('while host A drives a run, host B can neither start its runbook, nor resume it or an earlier run of it, and journals nothing', async () => {
    const go = join(hostA, 'go');
    const fail = join(hostA, 'fail');
    const runbook = join(hostA, 'wait.yaml');
    writeFileSync(
      runbook,
      `version: 1
name: wait-for-go
phases:
  - id: main
    steps:
      - id: wait
        run: { shell: "if [ -e ${fail} ]; then exit 3; fi; while [ ! -e ${go} ]; do sleep 0.05; done; echo went" }
`,
    );
    // An earlier run that failed: resumable, by the file lock's rule not while the runbook is driven.
    writeFileSync(fail, '');
    expect((await runCli(['run', runbook, '--plain', '--yes'], on(hostA, 'bastion-a'))).exitCode).toBe(1);
    const [failed] = await db.query<{ run_id: string }>("SELECT run_id FROM stepwise.runs WHERE runbook = 'wait-for-go'");
    rmSync(fail);
    const a = startCli(['run', runbook, '--plain', '--yes'], on(hostA, 'bastion-a'));
    const runId = await untilValue(async () => {
      const rows = await events();
      return rows.find((r) => r.type === 'step.process_started' && r.run_id.startsWith('wait-for-go-') && r.run_id !== failed.run_id)?.run_id;
    });
    const [lease] = await db.query<{ pid: number }>('SELECT pid FROM stepwise.leases WHERE run_id = $1', [runId]);
    const before = { events: await events(), runs: await db.query('SELECT run_id FROM stepwise.runs ORDER BY run_id') };

    const started = await runCli(['run', runbook, '--plain', '--yes'], on(hostB, 'bastion-b'));
    expect(started.all).toContain(`wait-for-go is being driven as run ${runId} by the engine on bastion-a (pid ${lease.pid});`);
    expect(started.exitCode).toBe(4);
    const resumed = await runCli(['resume', runId, '--plain', '--yes'], on(hostB, 'bastion-b'));
    expect(resumed.all).toContain(`run ${runId} is driven by the engine on bastion-a (pid ${lease.pid}, lease until`);
    expect(resumed.exitCode).toBe(4);
    const earlier = await runCli(['resume', failed.run_id, '--plain', '--yes'], on(hostB, 'bastion-b'));
    expect(earlier.all).toContain(`wait-for-go is being driven as run ${runId} by the engine on bastion-a (pid ${lease.pid});`);
    expect(earlier.exitCode).toBe(4);
    expect({ events: await events(), runs: await db.query('SELECT run_id FROM stepwise.runs ORDER BY run_id') }).toEqual(before);

    writeFileSync(go, '');
    expect((await a).exitCode).toBe(0);
  });
});
