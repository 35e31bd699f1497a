import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashLine } from '../../src/journal/file-journal.js';
import { readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';
import { createTarget, type Target, targetKinds } from '../helpers/targets.js';

function journalOf(stateDir: string): string {
  return join(stateDir, 'runs', readdirSync(join(stateDir, 'runs'))[0], 'journal.jsonl');
}

function writeRunbook(stateDir: string, manual: boolean): string {
  const path = join(stateDir, 'anchored.yaml');
  writeFileSync(
    path,
    `version: 1
name: anchored
connections:
  db: { url: { env: DATABASE_URL }, embedded: anchored }
phases:
  - id: main
    steps:
      - id: create
        sql: CREATE TABLE IF NOT EXISTS anchored_rows (id int PRIMARY KEY)
        idempotent: true
${manual ? '      - id: look\n        manual: Look at the table before going on\n' : ''}      - id: fill
        sql: INSERT INTO anchored_rows VALUES (1)
`,
  );
  return path;
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').slice(0, -1);

// Someone who knows the chain's recipe changes an event and computes every hash after it again.
function rewriteChain(path: string, at: number, change: (event: Record<string, unknown>) => void): void {
  let prev = '';
  const out = lines(path).map((line, i) => {
    const event = JSON.parse(line) as Record<string, unknown>;
    if (i < at) {
      prev = event.hash as string;
      return line;
    }
    if (i === at) change(event);
    const { hash: _, ...rest } = event;
    const body = JSON.stringify({ ...rest, prev });
    prev = hashLine(prev, body);
    return `${body.slice(0, -1)},"hash":"${prev}"}`;
  });
  writeFileSync(path, `${out.join('\n')}\n`);
}

describe.each(targetKinds)('the journal anchored in the run\'s database on %s', (kind) => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('verify finds a journal whose last line was deleted', async () => {
    const stateDir = tempStateDir('stepwise-anchor-');
    const runbook = writeRunbook(stateDir, false);
    target = await createTarget(kind, stateDir, 'anchored');
    const run = await runCli(['run', runbook, '--plain', '--yes'], { stateDir, env: target.env });
    expect(run.exitCode, run.all).toBe(0);
    const journal = journalOf(stateDir);
    const last = readEvents(journal).at(-1)!;
    expect(last.type).toBe('run.finished');

    const intact = await runCli(['verify', 'anchored'], { stateDir, env: target.env });
    expect(intact.exitCode, intact.all).toBe(0);
    expect(intact.stdout).toContain(`anchor on db: the journal holds the anchored head, seq ${last.seq}`);

    writeFileSync(journal, `${lines(journal).slice(0, -1).join('\n')}\n`);
    const cut = await runCli(['verify', 'anchored'], { stateDir, env: target.env });
    expect(cut.stdout).toContain('journal intact');
    expect(cut.stdout).toContain(
      `anchor on db: FAILED: the journal ends at seq ${last.seq - 1} (hash ${(readEvents(journal).at(-1)!.hash as string).slice(0, 16)}) ` +
        `but its anchor is at seq ${last.seq} (hash ${(last.hash as string).slice(0, 16)}): events after seq ${last.seq - 1} were removed`,
    );
    expect(cut.exitCode).toBe(1);
  });

  it('verify finds a rewritten chain', async () => {
    const stateDir = tempStateDir('stepwise-anchor-');
    const runbook = writeRunbook(stateDir, false);
    target = await createTarget(kind, stateDir, 'anchored');
    const run = await runCli(['run', runbook, '--plain', '--yes'], { stateDir, env: target.env });
    expect(run.exitCode, run.all).toBe(0);
    const journal = journalOf(stateDir);
    const anchored = readEvents(journal).at(-1)!;

    rewriteChain(journal, 1, (event) => {
      event.operator = 'someone-else';
    });
    const verify = await runCli(['verify', 'anchored'], { stateDir, env: target.env });
    expect(verify.stdout).toContain('hash chain ok');
    expect(verify.stdout).toContain(
      `anchor on db: FAILED: the journal's event seq ${anchored.seq} has hash ${(readEvents(journal).at(-1)!.hash as string).slice(0, 16)}, ` +
        `its anchor says seq ${anchored.seq} (hash ${(anchored.hash as string).slice(0, 16)}): the journal was rewritten`,
    );
    expect(verify.exitCode).toBe(1);
  });

  it.runIf(kind === 'postgres')('verify without the database\'s address says the anchor was not checked, and judges the chain alone', async () => {
    const stateDir = tempStateDir('stepwise-anchor-');
    const runbook = writeRunbook(stateDir, false);
    target = await createTarget(kind, stateDir, 'anchored');
    const run = await runCli(['run', runbook, '--plain', '--yes'], { stateDir, env: target.env });
    expect(run.exitCode, run.all).toBe(0);

    const verify = await runCli(['verify', 'anchored'], { stateDir });
    expect(verify.exitCode, verify.all).toBe(0);
    expect(verify.stdout).toContain('journal intact');
    expect(verify.stdout).toContain(
      `anchor on db: not checked: its embedded database ${join(stateDir, 'pglite', 'anchored')} does not exist`,
    );
    const wrong = await runCli(['verify', 'anchored'], { stateDir, env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } });
    expect(wrong.exitCode, wrong.all).toBe(0);
    expect(wrong.stdout).toContain('anchor on db: not checked: cannot connect to db at postgres://nobody@127.0.0.1:1/none');
  });

  it('resume refuses a truncated journal, naming both heads, and so does rollback; nothing is appended', async () => {
    const stateDir = tempStateDir('stepwise-anchor-');
    const runbook = writeRunbook(stateDir, true);
    target = await createTarget(kind, stateDir, 'anchored');
    const run = await runCli(['run', runbook, '--plain'], { stateDir, env: target.env });
    expect(run.exitCode, run.all).toBe(3);
    const journal = journalOf(stateDir);
    const paused = readEvents(journal).at(-1)!;
    expect(paused.type).toBe('run.paused');

    writeFileSync(journal, `${lines(journal).slice(0, -1).join('\n')}\n`);
    const cut = readFileSync(journal, 'utf8');
    const resume = await runCli(['resume', '--plain', '--yes'], { stateDir, env: target.env });
    expect(resume.exitCode, resume.all).toBe(2);
    expect(resume.stderr).toContain(`the journal ends at seq ${paused.seq - 1}`);
    expect(resume.stderr).toContain(`its anchor is at seq ${paused.seq} (hash ${(paused.hash as string).slice(0, 16)})`);
    expect(resume.stderr).toContain('Nothing ran');
    const rollback = await runCli(['rollback', '--plain', '--yes'], { stateDir, env: target.env });
    expect(rollback.exitCode, rollback.all).toBe(2);
    expect(rollback.stderr).toContain(`its anchor is at seq ${paused.seq}`);
    expect(readFileSync(journal, 'utf8')).toBe(cut);
  });
});

describe('a run without a database connection', () => {
  it('verify says there is nothing to anchor to, and passes on its chain', async () => {
    const stateDir = tempStateDir('stepwise-anchor-');
    const runbook = join(stateDir, 'plain.yaml');
    writeFileSync(runbook, 'version: 1\nname: plain\nphases:\n  - id: main\n    steps:\n      - id: hello\n        run: { shell: "true" }\n');
    const run = await runCli(['run', runbook, '--plain', '--yes'], { stateDir });
    expect(run.exitCode, run.all).toBe(0);
    const verify = await runCli(['verify', 'plain'], { stateDir });
    expect(verify.exitCode, verify.all).toBe(0);
    expect(verify.stdout).toContain('anchor: not checked: the run has no database connection to anchor its journal to');
  });
});
