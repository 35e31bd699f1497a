import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EngineClient } from '../../src/client/engine-client.js';
import { writeProof } from '../../src/client/prove-identity.js';
import { lineChannel } from '../../src/protocol/line-channel.js';
import { protocolVersion } from '../../src/protocol/handshake.js';
import type { EngineMessage } from '../../src/protocol/messages.js';
import { readEngineRecord } from '../../src/protocol/engine-record.js';
import { isProcessAlive } from '../../src/journal/process-identity.js';
import { onlyRunId as runIdOf, watchFor } from '../helpers/engine-watch.js';
import { readEvents, runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { alice, bob, canSwitchUsers, cliAs, shareWithGroup } from '../helpers/unix-users.js';

function journal(stateDir: string) {
  return readEvents(join(stateDir, 'runs', runIdOf(stateDir), 'journal.jsonl'));
}

// A raw connection speaking the protocol line by line, as a foreign client would.
async function rawClient(stateDir: string) {
  const socket = connect(readEngineRecord(stateDir, runIdOf(stateDir))!.socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  const inbox: EngineMessage[] = [];
  let wake = () => {};
  const channel = lineChannel(socket, (line) => {
    inbox.push(JSON.parse(line) as EngineMessage);
    wake();
  });
  const next = async (type: EngineMessage['type']): Promise<EngineMessage> => {
    for (;;) {
      const at = inbox.findIndex((m) => m.type === type);
      if (at !== -1) return inbox.splice(at, 1)[0];
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return { socket, send: (line: string) => socket.write(`${line}\n`), channel, next };
}

const gateRunbook = `version: 1
name: two-person
phases:
  - id: one
    steps:
      - id: look
        run: [echo, looked]
    gate: { signoff: { count: 2 } }
  - id: two
    steps:
      - id: after
        run: [echo, after]
`;

describe('a run in its own engine process', () => {
  it('refuses garbage, an unknown intent, an old protocol version and a watcher that pauses; the engine goes on', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'rb.yaml');
    writeFileSync(runbook, gateRunbook);
    const started = await runCli(['run', runbook, '--detach'], { stateDir });
    expect(started.exitCode, started.all).toBe(0);
    expect(started.stdout).toContain(`stepwise attach ${runIdOf(stateDir)}`);

    const old = await rawClient(stateDir);
    old.send(JSON.stringify({ type: 'hello', protocol: protocolVersion - 1, role: 'operator', host: 'h' }));
    expect(await old.next('refused')).toMatchObject({ message: expect.stringContaining(`protocol ${protocolVersion}`) });

    const raw = await rawClient(stateDir);
    raw.send('this is not json');
    expect(await raw.next('refused')).toMatchObject({ message: expect.stringContaining('not JSON') });
    raw.send(JSON.stringify({ type: 'intent', id: 1, body: { intent: 'runPhase', phase: 'one' } }));
    expect(await raw.next('refused')).toMatchObject({ message: 'say hello and prove who you are first' });
    raw.send(JSON.stringify({ type: 'hello', protocol: protocolVersion, role: 'operator', host: 'h' }));
    const welcome = (await raw.next('welcome')) as Extract<EngineMessage, { type: 'welcome' }>;
    writeProof(welcome.proofDir, welcome.nonce);
    raw.send(JSON.stringify({ type: 'prove' }));
    expect(await raw.next('identified')).toMatchObject({ user: 'root', role: 'operator' });
    raw.send(JSON.stringify({ type: 'intent', id: 2, body: { intent: 'dropTables' } }));
    expect(await raw.next('refused')).toMatchObject({ id: 2, message: 'unknown or malformed intent "dropTables"' });

    const watcher = await EngineClient.connect({ stateDir, runId: runIdOf(stateDir), role: 'watcher' });
    await expect(watcher.request({ intent: 'pause', reason: 'mine now' })).rejects.toThrow(/watching is read-only/);

    // The engine goes on: the operator runs the first phase and the gate waits.
    raw.send(JSON.stringify({ type: 'intent', id: 3, body: { intent: 'runPhase', phase: 'one', confirmation: { steps: [] } } }));
    expect(await raw.next('done')).toMatchObject({ id: 3 });
    expect(journal(stateDir).find((e) => e.type === 'step.succeeded' && e.step === 'look')).toBeTruthy();
    // A page of the step's log is asked of the engine, as the log view does.
    raw.send(JSON.stringify({ type: 'logPage', id: 5, step: 'look', position: {}, count: 10 }));
    expect(await raw.next('done')).toMatchObject({ id: 5, result: { lines: ['looked'], starts: [0] } });
    raw.send(JSON.stringify({ type: 'logPage', id: 6, step: 'after', position: {}, count: 10 }));
    expect(await raw.next('done')).toEqual({ type: 'done', id: 6 });

    // Paused with nobody attached, the engine ends and takes its socket record with it.
    const enginePid = readEngineRecord(stateDir, runIdOf(stateDir))!.pid;
    raw.send(JSON.stringify({ type: 'intent', id: 4, body: { intent: 'pause', reason: 'end of the test' } }));
    expect(await raw.next('done')).toMatchObject({ id: 4 });
    raw.socket.end();
    watcher.close();
    old.socket.destroy();
    await new Promise((resolve) => raw.socket.once('close', resolve));
    await vi.waitFor(() => expect(isProcessAlive(enginePid)).toBe(false), { timeout: 30_000 });
    expect(readEngineRecord(stateDir, runIdOf(stateDir))).toBeUndefined();
    const gone = await watchFor(stateDir, () => false).catch((error: Error) => error);
    expect(String(gone)).toMatch(/no engine is serving|engine closed/);
  });

  it('run --plain is a client of the engine: a watcher follows the same run, a failed step shows its last lines, and the engine ends with it', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'rb.yaml');
    const release = join(stateDir, 'release');
    writeFileSync(
      runbook,
      `version: 1
name: plain-client
phases:
  - id: one
    steps:
      - id: hold
        run: [sh, -c, "echo first; echo second; while [ ! -f '${release}' ]; do sleep 0.05; done; echo last; exit 3"]
`,
    );
    const plain = startCli(['run', runbook, '--plain'], { stateDir });
    const { event, client } = await (async () => {
      for (;;) {
        const watching = await watchFor(stateDir, (e) => e.type === 'step.started').catch(() => undefined);
        if (watching) return watching;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    expect(await event).toMatchObject({ step: 'hold' });
    const enginePid = readEngineRecord(stateDir, runIdOf(stateDir))!.pid;
    expect(enginePid).not.toBe(plain.pid);
    writeFileSync(release, '');
    const done = await plain;
    expect(done.exitCode, done.all).toBe(1);
    expect(done.stdout).toMatch(/1\.1 hold {2}failed after .*: exit 3, expected 0/);
    expect(done.stdout).toMatch(/last 3 lines of output:\n\s+│ first\n\s+│ second\n\s+│ last\n/);
    expect(done.stderr).toContain('step hold failed');
    // The run is paused; the engine waits while the watcher is attached, and ends after it.
    client.close();
    await vi.waitFor(() => expect(isProcessAlive(enginePid)).toBe(false), { timeout: 30_000 });
    expect(readEngineRecord(stateDir, runIdOf(stateDir))).toBeUndefined();
  });

  it('a watcher that hangs up or is interrupted goes away alone: the step goes on and a new watcher follows it to the end', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'rb.yaml');
    const release = join(stateDir, 'release');
    writeFileSync(
      runbook,
      `version: 1
name: hang-up
phases:
  - id: one
    steps:
      - id: hold
        run: [sh, -c, "while [ ! -f '${release}' ]; do sleep 0.05; done; echo released"]
`,
    );
    expect((await runCli(['run', runbook, '--detach', '--yes'], { stateDir })).exitCode).toBe(0);
    const following = async () => {
      const watcher = startCli(['watch', '--json'], { stateDir });
      await new Promise<void>((resolve) =>
        watcher.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('"step.started"') && resolve()),
      );
      // Wrapped: a subprocess is a promise, which an async function would wait for.
      return { watcher };
    };
    for (const signal of ['SIGHUP', 'SIGINT'] as const) {
      const { watcher } = await following();
      watcher.kill(signal);
      const gone = await watcher;
      expect(gone.exitCode ?? gone.signal).toBe(signal === 'SIGINT' ? 130 : 'SIGHUP');
    }
    const { watcher } = await following();
    writeFileSync(release, '');
    const last = await watcher;
    expect(last.exitCode, last.all).toBe(0);
    expect(last.stdout).toContain('"type":"run.finished"');
    expect(journal(stateDir).filter((e) => e.type === 'step.started')).toHaveLength(1);
  });

  it('resumes after kill -9 of the engine in the middle of a step', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'rb.yaml');
    const release = join(stateDir, 'release');
    writeFileSync(
      runbook,
      `version: 1
name: killed-engine
phases:
  - id: one
    steps:
      - id: wait-for-release
        idempotent: true
        run: [sh, -c, "while [ ! -f '${release}' ]; do sleep 0.05; done; echo released"]
      - id: after
        run: [echo, after]
`,
    );
    expect((await runCli(['run', runbook, '--detach', '--yes'], { stateDir })).exitCode).toBe(0);
    const { event, client } = await watchFor(stateDir, (e) => e.type === 'step.process_started' && e.step === 'wait-for-release');
    await event;
    client.close();
    const pid = readEngineRecord(stateDir, runIdOf(stateDir))!.pid;
    process.kill(pid, 'SIGKILL');
    writeFileSync(release, '');
    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir });
    expect(resumed.exitCode, resumed.all).toBe(0);
    const events = journal(stateDir);
    expect(events.filter((e) => e.type === 'step.started' && e.step === 'wait-for-release')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', outcome: 'succeeded' });
  });

  it('sends a step’s output tail to its clients when it changes, not again with every live message', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'rb.yaml');
    const release = join(stateDir, 'release');
    const small = Array.from({ length: 5 }, (_, i) => `      - id: small-${i + 1}\n        run: ["true"]`).join('\n');
    writeFileSync(
      runbook,
      `version: 1
name: tails
phases:
  - id: one
    steps:
      - id: hold
        run: [sh, -c, "while [ ! -f '${release}' ]; do sleep 0.01; done"]
      - id: print
        run: [seq, '1', '3000']
${small}
    gate: { signoff: { count: 2 } }
`,
    );
    expect((await runCli(['run', runbook, '--detach', '--yes'], { stateDir })).exitCode).toBe(0);
    const raw = await rawClient(stateDir);
    raw.send(JSON.stringify({ type: 'hello', protocol: protocolVersion, role: 'watcher', host: 'h' }));
    const welcome = (await raw.next('welcome')) as Extract<EngineMessage, { type: 'welcome' }>;
    writeProof(welcome.proofDir, welcome.nonce);
    raw.send(JSON.stringify({ type: 'prove' }));
    await raw.next('identified');
    raw.send(JSON.stringify({ type: 'subscribe', from: 0 }));
    await raw.next('caught-up');
    const watcher = await EngineClient.connect({ stateDir, runId: runIdOf(stateDir), role: 'watcher' });
    let merged: Extract<EngineMessage, { type: 'live' }> | undefined;
    await watcher.subscribe({ view: () => {}, event: () => {}, live: (message) => (merged = message) });
    writeFileSync(release, '');
    for (;;) {
      const message = await raw.next('event');
      if (message.type === 'event' && message.event.type === 'gate.signed') break;
    }
    await vi.waitFor(() => expect(merged?.live.output['small-5']?.total).toBe(0));
    // The raw connection heard each of print's tails once: never the same one twice in a row.
    const lives: Array<Extract<EngineMessage, { type: 'live' }>> = [];
    for (;;) {
      const message = await Promise.race([raw.next('live'), new Promise<undefined>((r) => setTimeout(r, 0))]);
      if (!message) break;
      lives.push(message as Extract<EngineMessage, { type: 'live' }>);
    }
    const printTails = lives.flatMap((m) => (m.live.output.print ? [JSON.stringify(m.live.output.print)] : []));
    expect(lives.length).toBeGreaterThan(printTails.length + 3);
    printTails.forEach((tail, i) => expect(tail).not.toBe(printTails[i - 1]));
    expect(JSON.parse(printTails.at(-1)!)).toMatchObject({ total: 3000 });
    // A client keeps every step's tail: the merged live state has them all.
    expect(merged!.live.output.print).toMatchObject({ total: 3000 });
    expect(merged!.live.output.print.lines.at(-1)).toBe('3000');
    expect(Object.keys(merged!.live.output)).toEqual(expect.arrayContaining(['hold', 'print', 'small-1', 'small-5']));
    const enginePid = readEngineRecord(stateDir, runIdOf(stateDir))!.pid;
    watcher.close();
    raw.socket.end();
    process.kill(enginePid, 'SIGTERM');
    await vi.waitFor(() => expect(isProcessAlive(enginePid)).toBe(false), { timeout: 30_000 });
  });
});

describe.skipIf(!canSwitchUsers)('a two-person gate signed by two Unix users', () => {
  it('refuses one user under two --operator names and passes when a second user approves from their own process', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'rb.yaml');
    writeFileSync(runbook, gateRunbook);
    shareWithGroup(stateDir);

    const alices = await cliAs(alice, ['run', runbook, '--detach', '--yes', '--operator', 'alice'], { stateDir });
    expect(alices.exitCode, alices.all).toBe(0);
    const { event, client } = await watchFor(stateDir, (e) => e.type === 'gate.signed');
    expect(await event).toMatchObject({ operator: 'alice', user: 'stepwise_alice' });

    const again = await cliAs(alice, ['approve', '--yes', '--operator', 'alice-again'], { stateDir });
    expect(again.exitCode).toBe(3);
    expect(again.all).toContain('needs 2 different Unix users and stepwise_alice has signed already');

    const bobs = await cliAs(bob, ['approve', '--yes', '--operator', 'bob'], { stateDir });
    expect(bobs.exitCode, bobs.all).toBe(0);
    expect(bobs.stdout).toContain('Gate of phase one');
    expect(bobs.stdout).toContain('signed by stepwise_alice (alice)');
    // The engine goes on by itself once the gate has passed, and ends with the run.
    await client.ended;
    const events = journal(stateDir);
    expect(events.filter((e) => e.type === 'gate.signed').map((e) => [e.user, e.operator])).toEqual([
      ['stepwise_alice', 'alice'],
      ['stepwise_bob', 'bob'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', outcome: 'succeeded' });
    const report = await runCli(['report', runIdOf(stateDir)], { stateDir });
    expect(report.stdout).toContain('alice (Unix user stepwise_alice)');
    expect(report.stdout).toContain('bob (Unix user stepwise_bob)');
    expect(existsSync(join(stateDir, 'runs', runIdOf(stateDir), 'engine.json'))).toBe(false);
    expect(readFileSync(join(stateDir, 'runs', runIdOf(stateDir), 'engine.log'), 'utf8')).toContain('stepwise_bob (uid');
  });
});
