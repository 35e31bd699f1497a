import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbRunClient } from '../../src/client/db-run-client.js';
import { RemoteEngine } from '../../src/client/remote-engine.js';
import { openPostgres } from '../../src/db/postgres-connection.js';
import type { AttachedClient, EngineView } from '../../src/engine/engine-api.js';
import { engineLogPath } from '../../src/protocol/engine-record.js';
import { EngineViews } from '../../src/store/engine-views.js';
import { migrate } from '../../src/store/migrate.js';
import { runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';
import { grantTeamRoles, type TeamRoles } from '../helpers/team-roles.js';

interface Line {
  seq: number;
  type: string;
  [key: string]: unknown;
}

// The NDJSON a `watch --json` prints, line by line as it comes: `until` resolves with the first
// event that matches.
function followOutput(child: ReturnType<typeof startCli>) {
  const events: Line[] = [];
  const waiting: Array<{ matches: (e: Line) => boolean; found: (e: Line) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const event = JSON.parse(text) as Line;
    events.push(event);
    for (const w of [...waiting]) {
      if (!w.matches(event)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.found(event);
    }
  });
  const until = (matches: (e: Line) => boolean) =>
    new Promise<Line>((found) => {
      const seen = events.find(matches);
      if (seen) found(seen);
      else waiting.push({ matches, found });
    });
  return { events, until };
}

const host = (id: string) => ({ STEPWISE_HOST_ID: id });

// Resolves once the screen's state matches: checked as each update lands.
function screenUntil(remote: RemoteEngine, matches: (view: EngineView) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (matches(remote.store.getState())) return resolve();
    const unsubscribe = remote.store.subscribe((view) => {
      if (!matches(view)) return;
      unsubscribe();
      resolve();
    });
  });
}

const hosts = (clients: AttachedClient[] | undefined) => (clients ?? []).map((c) => `${c.user}@${c.host} ${c.role}`).sort();

// Three hosts share one state database: the engine runs on host A, a watcher follows from host C,
// operators act from host B with their own database roles.
describe.skipIf(!testDatabaseUrl)('team mode from other hosts', () => {
  let db: ScratchDatabase;
  let roles: TeamRoles;

  beforeAll(async () => {
    db = await createScratchDatabase('team_remote');
    const conn = await openPostgres(db.url, { applicationName: 'stepwise test' });
    await migrate(conn);
    await conn.close();
    roles = await grantTeamRoles(db.url, (statement) => db.query(statement));
  });
  afterAll(async () => {
    await db?.drop();
    await roles?.drop();
  });

  it('a watcher on a third host sees every event in order; a two-person gate needs a second role, which approves from its own host', async () => {
    const stateDir = tempStateDir();
    const release = join(stateDir, 'release');
    const runbook = join(stateDir, 'rb.yaml');
    writeFileSync(
      runbook,
      `version: 1
name: two-hosts
phases:
  - id: one
    steps:
      - id: hold
        run: [sh, -c, "while [ ! -f '${release}' ]; do sleep 0.05; done; echo released"]
      - id: count
        run: [sh, -c, "for i in $(seq 1 50); do echo line $i; done"]
      - id: look
        run: [echo, looked]
    gate: { signoff: { count: 2 } }
  - id: two
    steps:
      - id: after
        run: [echo, after]
`,
    );
    const state = ['--state', db.url];
    const started = await runCli(['run', runbook, '--detach', '--yes', ...state], { stateDir, env: host('host-a') });
    expect(started.exitCode, started.all).toBe(0);
    const runId = /stepwise attach (\S+)/.exec(started.stdout)![1];

    const watcher = startCli(['watch', runId, '--json', ...state], { stateDir: tempStateDir(), env: host('host-c') });
    const watched = followOutput(watcher);
    await watched.until((e) => e.type === 'step.started' && e.step === 'hold');
    writeFileSync(release, '');
    // The engine signs the gate once itself (--yes) and waits for a second signer.
    const first = await watched.until((e) => e.type === 'gate.signed');
    expect(first).toMatchObject({ role: 'postgres', host: 'host-a' });

    const elsewhere = tempStateDir();
    const again = await runCli(['approve', runId, '--yes', '--operator', 'someone-else', ...state], { stateDir: elsewhere, env: host('host-b') });
    expect(again.exitCode, again.all).not.toBe(0);
    expect(again.stderr).toContain('needs 2 different database roles and postgres has signed already');

    const alice = roles.names.alice;
    const approved = await runCli(['approve', runId, '--yes', '--state', roles.url(alice)], { stateDir: elsewhere, env: host('host-b') });
    expect(approved.exitCode, approved.all).toBe(0);
    expect(approved.stdout).toContain(`signed as ${alice}`);

    const done = await watcher;
    expect(done.exitCode, done.all).toBe(0);
    const seqs = watched.events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const { rows } = { rows: await db.query<{ seq: string }>('SELECT seq FROM stepwise.events WHERE run_id = $1 ORDER BY seq', [runId]) };
    expect(seqs).toEqual(rows.map((r) => Number(r.seq)));
    expect(watched.events.filter((e) => e.type === 'gate.signed')).toMatchObject([
      { role: 'postgres', host: 'host-a' },
      { role: alice, host: 'host-b', operator: 'tester' },
    ]);
    expect(watched.events.at(-1)).toMatchObject({ type: 'run.finished' });

    const report = await runCli(['report', runId, ...state], { stateDir: elsewhere });
    expect(report.stdout).toContain('database role postgres');
    expect(report.stdout).toContain(`database role ${alice}`);
  });

  it("a remote attach's intents are answered by the run's engine, a remote watcher's mutating ones refused; a paused engine serves the front ends of other hosts until the last one leaves", async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'rb.yaml');
    writeFileSync(
      runbook,
      `version: 1
name: remote-attach
phases:
  - id: one
    steps:
      - id: first
        run: [echo, hello]
      - id: second
        run: [echo, again]
    gate: { signoff: { count: 1 } }
`,
    );
    const started = await runCli(['run', runbook, '--detach', '--state', db.url], { stateDir, env: host('host-a') });
    expect(started.exitCode, started.all).toBe(0);
    const runId = /stepwise attach (\S+)/.exec(started.stdout)![1];
    const alice = roles.names.alice;

    const operator = await RemoteEngine.open(
      await DbRunClient.connect({ conn: await openPostgres(roles.url(alice), { applicationName: 'alice' }), runId, role: 'operator', env: host('host-b') }),
    );
    const watcher = await RemoteEngine.open(
      await DbRunClient.connect({ conn: await openPostgres(roles.url(roles.names.carol), { applicationName: 'carol' }), runId, role: 'watcher', env: host('host-c') }),
      { readOnly: true },
    );
    expect(operator.store.getState()).toMatchObject({ user: alice, next: { kind: 'step', step: 'first' } });

    await operator.runStep('first');
    expect(operator.store.getState().run.steps.first.status).toBe('succeeded');
    expect(await operator.logPage('first', {}, 10)).toMatchObject({ lines: ['hello'] });
    await expect(operator.signGate('one', 'too early')).rejects.toThrow('the gate of one is not open: finish its steps first');
    await expect(watcher.pause('mine now')).rejects.toThrow(/pause refused: watching is read-only/);
    // A role that may not journal cannot act by claiming to be an operator.
    const claiming = await DbRunClient.connect({ conn: await openPostgres(roles.url(roles.names.carol), { applicationName: 'carol' }), runId, role: 'operator' });
    await expect(claiming.request({ intent: 'runStep', step: 'second' })).rejects.toThrow(
      `runStep refused: database role ${roles.names.carol} may not add to the run's journal, so it may only watch`,
    );
    claiming.close();

    // The engine counts the front ends of other hosts among its clients, with their roles and hosts.
    const carol = roles.names.carol;
    await screenUntil(operator, (v) => hosts(v.clients).length === 2);
    expect(hosts(operator.store.getState().clients)).toEqual([`${alice}@host-b operator`, `${carol}@host-c watcher`]);
    // Nobody is on the engine's socket, but two front ends are attached through the database: the
    // paused run's engine goes on serving them (it decides before its answer is written).
    await operator.pause('done for today');
    expect(operator.store.getState().run.status).toBe('paused');
    const engineLog = engineLogPath(stateDir, runId);
    expect(readFileSync(engineLog, 'utf8')).not.toContain('engine ending');

    // A third, in a process of its own, is killed: it counts until its row is old (here made old).
    const killed = startCli(['watch', runId, '--json', '--state', roles.url(carol)], { stateDir: tempStateDir(), env: host('host-d') });
    await followOutput(killed).until((e) => e.type === 'run.paused');
    await screenUntil(operator, (v) => hosts(v.clients).includes(`${carol}@host-d watcher`));
    killed.kill('SIGKILL');
    await killed;
    await db.query("UPDATE stepwise.clients SET seen_at = now() - interval '1 minute' WHERE run_id = $1 AND host = 'host-d'", [runId]);
    await screenUntil(operator, (v) => hosts(v.clients).length === 2);

    watcher.close();
    await watcher.ended;
    await screenUntil(operator, (v) => hosts(v.clients).length === 1);
    expect(await operator.rollbackPlan()).toMatchObject({ items: expect.any(Array) });
    expect(readFileSync(engineLog, 'utf8')).not.toContain('engine ending');

    // The last one leaves: the paused run's engine ends.
    const conn = await openPostgres(db.url, { applicationName: 'stepwise test' });
    let heard!: () => void;
    const unlisten = await conn.listen('stepwise_views', () => heard(), () => {});
    const ended = async (): Promise<void> => {
      const heardAgain = new Promise<void>((resolve) => (heard = resolve));
      if ((await new EngineViews(conn).readLive(runId))?.endedAt) return;
      await heardAgain;
      return ended();
    };
    operator.close();
    await ended();
    await unlisten();
    await conn.close();
    expect(readFileSync(engineLog, 'utf8')).toContain('engine ending (paused)');
  });
});
