import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driveHeadless } from '../../src/cli/drive-headless.js';
import { type OpenedRun, resumeRun, startRun } from '../../src/engine/open-run.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { readEvents, tempStateDir } from '../helpers/run-cli.js';

// A chat service in the test: every POST's JSON body is kept.
async function chatServer(): Promise<{ url: string; bodies: Array<Record<string, string>>; server: Server }> {
  const bodies: Array<Record<string, string>> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as Record<string, string>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/chat`, bodies, server };
}

// The on-call script: a real child process that appends the event it was told of to a file.
const onCall = `require('fs').appendFileSync(process.env.PAGES, process.env.STEPWISE_EVENT + ' ' + process.env.STEPWISE_TEXT + '\\n')`;

function notifyRunbook(dir: string, failing = false): string {
  const path = join(dir, 'notify.yaml');
  writeFileSync(
    path,
    `version: 1
name: notify-story
window: { budget: 60s }
notify:
  - on: [waiting, step.failed, soak.ended, window.80, window.100, run.finished]
    run: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(onCall)}]
  - on: [waiting, step.failed, run.finished]
    webhook: { env: CHAT_WEBHOOK_URL }
  - on: [run.finished]
    run: [/nonexistent/notify-oncall]
  - on: [run.finished]
    webhook: { env: BROKEN_WEBHOOK_URL }
connections:
  db: { embedded: notify }
phases:
  - id: build
    steps:
      - id: create
        sql: CREATE TABLE jobs (id int PRIMARY KEY)
    gate: { signoff: true }
  - id: watch
    steps:
      - id: monitor
        soak: { for: 20s, every: 10s, checks: [{ sql: "SELECT count(*)::int AS n FROM jobs", expect: { n: 0 } }] }
      - id: finish
        ${failing ? "run: ['false']" : 'sql: INSERT INTO jobs VALUES (1)'}
`,
  );
  return path;
}

const pages = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[0])
    .sort();

describe('notifications', () => {
  let opened: OpenedRun | undefined;
  let chat: Awaited<ReturnType<typeof chatServer>> | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    chat?.server.close();
  });

  it('tell a command and a chat webhook when the run waits, a soak ends, the window runs out and the run ends; failing ones are journaled and change nothing', async () => {
    const stateDir = tempStateDir();
    const runbook = notifyRunbook(stateDir);
    const clock = new ManualClock();
    chat = await chatServer();
    const env = {
      PAGES: join(stateDir, 'pages.txt'),
      CHAT_WEBHOOK_URL: chat.url,
      BROKEN_WEBHOOK_URL: 'http://127.0.0.1:1/hooks?token=s3cret-token',
    };
    writeFileSync(env.PAGES, '');
    opened = await startRun(runbook, { stateDir, vars: {}, env, operator: 'alice@bastion', clock });
    const said: string[] = [];
    const stopped = await driveHeadless(opened.engine, { yes: false, retry: [], markDone: [], say: (t) => said.push(t) });
    expect(stopped).toBe(3);
    await opened.close();
    expect(readFileSync(env.PAGES, 'utf8')).toMatch(/^waiting stepwise notify-story-\S+ \(notify-story\): the gate of phase build waits for a sign-off\n$/);
    expect(chat.bodies).toMatchObject([{ event: 'waiting', runbook: 'notify-story', phase: 'build' }]);
    expect(chat.bodies[0].text).toContain('the gate of phase build waits for a sign-off');

    opened = await resumeRun({ stateDir, vars: {}, env, operator: 'alice@bastion', clock, acceptDrift: async () => false, purpose: 'resume', warn: () => {} });
    const { engine } = opened;
    await engine.signGate('build', 'ok');
    const soaking = engine.runStep('monitor');
    // One sleeper watches the window, the other is the soak.
    await clock.sleeping(2);
    clock.advance(10_000);
    await clock.sleeping(2);
    clock.advance(10_000);
    await soaking;
    clock.advance(30_000);
    await clock.sleeping(1);
    clock.advance(15_000);
    expect(await driveHeadless(engine, { yes: true, retry: [], markDone: [], say: () => {} })).toBe(0);
    await opened.close();
    opened = undefined;

    expect(pages(env.PAGES)).toEqual(['run.finished', 'soak.ended', 'waiting', 'window.100', 'window.80']);
    expect(chat.bodies.map((b) => b.event)).toEqual(['waiting', 'run.finished']);
    const journal = readFileSync(join(stateDir, 'runs', engine.run.runId, 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain('s3cret-token');
    const failed = readEvents(join(stateDir, 'runs', engine.run.runId, 'journal.jsonl')).filter((e) => e.type === 'notify.failed');
    expect(failed.map((e) => [e.event, e.target])).toEqual(
      expect.arrayContaining([
        ['run.finished', 'command /nonexistent/notify-oncall'],
        ['run.finished', 'webhook BROKEN_WEBHOOK_URL'],
      ]),
    );
    expect(failed).toHaveLength(2);
    expect(engine.run.status).toBe('succeeded');
  }, 120_000);

  it('page when a step fails; the run stops as it would without them', async () => {
    const stateDir = tempStateDir();
    const clock = new ManualClock();
    chat = await chatServer();
    const env = { PAGES: join(stateDir, 'pages.txt'), CHAT_WEBHOOK_URL: chat.url };
    writeFileSync(env.PAGES, '');
    opened = await startRun(notifyRunbook(stateDir, true), { stateDir, vars: {}, env, operator: 'alice@bastion', clock });
    await opened.engine.runStep('create');
    await opened.engine.signGate('build', 'ok');
    await opened.engine.runStep('monitor', undefined, { soakOnce: true });
    await opened.engine.endSoak('monitor', 'rehearsal');
    await opened.engine.runStep('finish');
    await opened.close();
    opened = undefined;
    expect(pages(env.PAGES)).toEqual(['soak.ended', 'step.failed']);
    expect(readFileSync(env.PAGES, 'utf8')).toContain('soak monitor ended early by alice@bastion: rehearsal');
    expect(chat.bodies).toMatchObject([{ event: 'step.failed', step: 'finish' }]);
  }, 60_000);
});
