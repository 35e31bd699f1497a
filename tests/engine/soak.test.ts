import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driveHeadless } from '../../src/cli/drive-headless.js';
import { type OpenedRun, resumeRun, startRun } from '../../src/engine/open-run.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';

// A soak of 30 seconds checked every 10: the test moves the clock, nothing sleeps.
function soakRunbook(stateDir: string, options: { gateSignoffs?: number; check?: string } = {}): string {
  const path = join(stateDir, 'soak.yaml');
  const check =
    options.check ?? `- sql: SELECT count(*)::int AS stuck FROM jobs WHERE state = 'stuck'\n              expect: { stuck: 0 }`;
  writeFileSync(
    path,
    `version: 1
name: soak-story
connections:
  db: { embedded: soak }
phases:
  - id: build
    steps:
      - id: create
        sql: CREATE TABLE jobs (id int PRIMARY KEY, state text); INSERT INTO jobs VALUES (1, 'done')
${options.gateSignoffs ? `    gate: { signoff: { count: ${options.gateSignoffs} } }\n` : ''}  - id: watch
    steps:
      - id: monitor
        title: Watch the jobs before cleanup
        soak:
          for: 30s
          every: 10s
          checks:
            ${check}
  - id: cleanup
    steps:
      - id: note
        sql: INSERT INTO jobs VALUES (2, 'cleaned')
`,
  );
  return path;
}

function headless(opened: OpenedRun, extra: Partial<Parameters<typeof driveHeadless>[1]> = {}) {
  const said: string[] = [];
  const result = driveHeadless(opened.engine, {
    yes: true,
    retry: [],
    markDone: [],
    say: (text) => said.push(text),
    ...extra,
  });
  return { said, result };
}

const resume = (stateDir: string, clock: ManualClock, operator = 'alice@bastion') =>
  resumeRun({
    stateDir,
    vars: {},
    env: {},
    operator,
    clock,
    acceptDrift: async () => false,
    purpose: 'resume',
    warn: () => {},
  });

describe('a soak step', () => {
  let opened: OpenedRun | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('passes when its checks hold at every evaluation until its time is up', async () => {
    const stateDir = tempStateDir();
    const clock = new ManualClock();
    opened = await startRun(soakRunbook(stateDir), { stateDir, vars: {}, env: {}, operator: 'alice@bastion', clock });
    const { engine } = opened;
    await engine.runStep('create');
    const soaking = engine.runStep('monitor');
    for (let i = 0; i < 3; i++) {
      await clock.sleeping();
      expect(engine.run.steps.monitor.status).toBe('soaking');
      clock.advance(10_000);
    }
    await soaking;
    const monitor = engine.run.steps.monitor;
    expect(monitor.status).toBe('succeeded');
    expect(monitor.soak?.evaluations).toBe(4);
    expect(monitor.soak?.history.map((h) => h.at)).toEqual([
      '2026-12-08T01:13:00.000Z',
      '2026-12-08T01:13:10.000Z',
      '2026-12-08T01:13:20.000Z',
      '2026-12-08T01:13:30.000Z',
    ]);
    expect(monitor.summary).toBe('held for 30s: 4 evaluations passed');
    expect(monitor.soak?.history[0].results).toEqual([{ ok: true, summary: 'stuck = 0' }]);
    // It changed nothing: a rollback passes it over.
    expect(engine.rollbackPlan().items.find((i) => i.step === 'monitor')?.action).toBe('pass-over');
  });

  it('lasts as long as the demo says instead of its `for` (stepwise demo --soak)', async () => {
    const stateDir = tempStateDir();
    const clock = new ManualClock();
    opened = await startRun(soakRunbook(stateDir), {
      stateDir,
      vars: {},
      env: {},
      operator: 'alice@bastion',
      clock,
      soakFor: '5s',
    });
    const { engine } = opened;
    await engine.runStep('create');
    const soaking = engine.runStep('monitor');
    await clock.sleeping();
    expect(engine.run.steps.monitor.soak?.endsAt).toBe('2026-12-08T01:13:05.000Z');
    clock.advance(5_000);
    await soaking;
    expect(engine.run.steps.monitor.status).toBe('succeeded');
    expect(engine.run.steps.monitor.summary).toBe('held for 5s: 2 evaluations passed');
  });

  it('fails when a check fails half-way, and the operator decides', async () => {
    const stateDir = tempStateDir();
    const alarm = join(stateDir, 'alarm');
    const clock = new ManualClock();
    const rb = soakRunbook(stateDir, { check: `- run: [test, '!', -e, ${JSON.stringify(alarm)}]` });
    opened = await startRun(rb, { stateDir, vars: {}, env: {}, operator: 'alice@bastion', clock });
    const { engine } = opened;
    await engine.runStep('create');
    const soaking = engine.runStep('monitor');
    await clock.sleeping();
    clock.advance(10_000);
    await clock.sleeping();
    writeFileSync(alarm, 'paged');
    clock.advance(10_000);
    await soaking;
    const monitor = engine.run.steps.monitor;
    expect(monitor.status).toBe('failed');
    expect(monitor.error).toMatch(/^soak check failed after 20\.0s: /);
    expect(monitor.soak?.history.map((h) => h.ok)).toEqual([true, true, false]);
    expect(engine.next()).toEqual({ kind: 'step', step: 'monitor' });
  });

  it('stops a headless client with exit 3 and its end; a resume before it says what is left, one after it goes on', async () => {
    const stateDir = tempStateDir();
    const clock = new ManualClock();
    opened = await startRun(soakRunbook(stateDir), { stateDir, vars: {}, env: {}, operator: 'alice@bastion', clock });
    const first = headless(opened);
    expect(await first.result).toBe(3);
    expect(first.said.join('\n')).toMatch(/^step monitor is soaking until 2026-12-08 01:13 UTC; resume after that/);
    expect(opened.engine.run.steps.monitor.status).toBe('soaking');
    await opened.close();

    clock.advance(20_000);
    opened = await resume(stateDir, clock);
    const early = headless(opened);
    expect(await early.result).toBe(3);
    const text = early.said.join('\n');
    expect(text).toContain('time left: 10.0s, 2 evaluations passed');
    expect(text).toContain('last checks (2026-12-08 01:13 UTC): stuck = 0');
    expect(opened.engine.run.steps.note.status).toBe('pending');
    await opened.close();

    clock.advance(11_000);
    opened = await resume(stateDir, clock);
    const after = headless(opened);
    expect(await after.result).toBe(0);
    expect(opened.engine.run.steps.monitor.summary).toBe('held for 30s: 3 evaluations passed');
    expect(opened.engine.run.status).toBe('succeeded');
  });

  it('ends early only with a reason signed by two different users when the gates take two', async () => {
    const stateDir = tempStateDir();
    const clock = new ManualClock();
    opened = await startRun(soakRunbook(stateDir, { gateSignoffs: 2 }), {
      stateDir,
      vars: {},
      env: {},
      operator: 'alice@bastion',
      clock,
    });
    const bob = { operator: 'bob@bastion', user: 'bob' };
    await opened.engine.runStep('create');
    await opened.engine.signGate('build', 'ok');
    await opened.engine.signGate('build', 'ok', bob);
    expect(await headless(opened).result).toBe(3);
    await opened.close();

    opened = await resume(stateDir, clock);
    const endSoak = { step: 'monitor', reason: 'queue empty for an hour, window closing' };
    const alice = headless(opened, { endSoak });
    expect(await alice.result).toBe(3);
    expect(alice.said.join('\n')).toMatch(/it needs another operator's sign-off too/);
    await opened.close();

    // Another --operator name for the same Unix user does not count.
    opened = await resume(stateDir, clock, 'mallory@bastion');
    const again = headless(opened, { endSoak });
    expect(await again.result).toBe(3);
    expect(again.said.join('\n')).toMatch(/needs 2 different Unix users and \S+ has signed already/);
    await opened.close();

    opened = await resume(stateDir, clock, 'bob@bastion');
    expect(await headless(opened, { endSoak, by: bob }).result).toBe(0);
    const monitor = opened.engine.run.steps.monitor;
    expect(monitor.status).toBe('succeeded');
    expect(monitor.soak?.earlySignoffs.map((s) => s.operator)).toEqual(['alice@bastion', 'bob@bastion']);
    expect(monitor.signoff?.note).toBe(endSoak.reason);
  });

  it('from the command line: exit 3 at the soak, then --end-soak with a reason finishes the run', async () => {
    const stateDir = tempStateDir();
    const rb = soakRunbook(stateDir);
    writeFileSync(rb, readFileSync(rb, 'utf8').replace('for: 30s', 'for: 24h').replace('every: 10s', 'every: 10m'));
    const run = await runCli(['run', rb, '--yes', '--plain'], { stateDir });
    expect(run.exitCode, run.all).toBe(3);
    expect(run.stderr).toMatch(/step monitor is soaking until \d{4}-\d\d-\d\d \d\d:\d\d UTC; resume after that/);
    const refused = await runCli(['resume', '--end-soak', 'monitor', '--plain'], { stateDir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--end-soak needs --reason TEXT');
    const ended = await runCli(['resume', '--end-soak', 'monitor', '--reason', 'rehearsed', '--yes', '--plain'], {
      stateDir,
    });
    expect(ended.exitCode, ended.all).toBe(0);
    const runId = readdirSync(join(stateDir, 'runs'))[0];
    const signed = readEvents(join(stateDir, 'runs', runId, 'journal.jsonl')).filter((e) => e.type === 'step.signed');
    expect(signed).toMatchObject([{ step: 'monitor', purpose: 'soak', note: 'rehearsed', operator: 'tester' }]);
  }, 120_000);
});
