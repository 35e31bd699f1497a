import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';

// A throwaway operator key, as `ssh-keygen` makes one.
async function operatorKey(dir: string, comment: string): Promise<{ key: string; fingerprint: string; pub: string }> {
  const key = join(dir, `${comment.replace(/\W/g, '-')}-key`);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', key]);
  const fingerprint = (await execa('ssh-keygen', ['-l', '-f', `${key}.pub`])).stdout.split(' ')[1];
  return { key, fingerprint, pub: readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ') };
}

function writeRunbook(stateDir: string): string {
  const path = join(stateDir, 'signed.yaml');
  writeFileSync(
    path,
    `version: 1
name: signed
phases:
  - id: main
    steps:
      - id: prepare
        run: { shell: "true" }
      - id: look
        manual: Look at the result before going on
      - id: finish
        run: { shell: "true" }
`,
  );
  return path;
}

const onlyRun = (stateDir: string) => readdirSync(join(stateDir, 'runs'))[0];
const journalOf = (stateDir: string, runId: string) => join(stateDir, 'runs', runId, 'journal.jsonl');

describe('a sign-off sheet signed with the operator\'s SSH key', () => {
  it('is signed beside the report, and verify says who signed: the key, or its principal from allowed signers', async () => {
    const stateDir = tempStateDir('stepwise-sign-');
    const runbook = writeRunbook(stateDir);
    expect((await runCli(['run', runbook, '--plain', '--yes'], { stateDir })).exitCode).toBe(0);
    const alice = await operatorKey(stateDir, 'alice@bastion');

    const signed = await runCli(['report', 'signed', '--sign', '--key', alice.key], { stateDir });
    expect(signed.exitCode, signed.all).toBe(0);
    const runId = onlyRun(stateDir);
    const head = readEvents(journalOf(stateDir, runId)).at(-1)!;
    const sheet = join(stateDir, 'runs', runId, 'signed-report.md');
    expect(signed.stderr).toContain(`signed the sign-off sheet of ${runId} at the journal's seq ${head.seq}`);
    expect(readFileSync(sheet, 'utf8')).toContain(`Journal head: seq ${head.seq}, hash ${head.hash}.`);
    expect(readFileSync(`${sheet}.sig`, 'utf8')).toContain('BEGIN SSH SIGNATURE');

    const verify = await runCli(['verify', runId], { stateDir });
    expect(verify.exitCode, verify.all).toBe(0);
    expect(verify.stdout).toContain(`signed report ${sheet}: good signature by ED25519 key ${alice.fingerprint}`);

    const allowed = join(stateDir, 'allowed_signers');
    writeFileSync(allowed, `alice@bastion ${alice.pub}\n`);
    const named = await runCli(['verify', runId, '--allowed-signers', allowed], { stateDir });
    expect(named.exitCode, named.all).toBe(0);
    expect(named.stdout).toContain(`good signature by alice@bastion (ED25519 key ${alice.fingerprint})`);

    const mallory = await operatorKey(stateDir, 'mallory@elsewhere');
    writeFileSync(allowed, `mallory@elsewhere ${mallory.pub}\n`);
    const stranger = await runCli(['verify', runId, '--allowed-signers', allowed], { stateDir });
    expect(stranger.exitCode).toBe(1);
    expect(stranger.stdout).toContain(`signed report ${sheet}: FAILED: the signing key is not in ${allowed}`);
  });

  it('fails verify when the signed sheet was changed afterwards', async () => {
    const stateDir = tempStateDir('stepwise-sign-');
    expect((await runCli(['run', writeRunbook(stateDir), '--plain', '--yes'], { stateDir })).exitCode).toBe(0);
    const { key } = await operatorKey(stateDir, 'alice@bastion');
    expect((await runCli(['report', 'signed', '--sign', '--key', key], { stateDir })).exitCode).toBe(0);
    const runId = onlyRun(stateDir);
    const sheet = join(stateDir, 'runs', runId, 'signed-report.md');
    writeFileSync(sheet, readFileSync(sheet, 'utf8').replace('tester', 'someone else'));

    const verify = await runCli(['verify', runId], { stateDir });
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toContain('journal intact');
    expect(verify.stdout).toContain(
      `signed report ${sheet}: FAILED: the signature does not hold: the sheet changed since it was signed`,
    );
  });

  it('fails verify when the run went on after the sheet was signed', async () => {
    const stateDir = tempStateDir('stepwise-sign-');
    const runbook = writeRunbook(stateDir);
    expect((await runCli(['run', runbook, '--plain'], { stateDir })).exitCode).toBe(3);
    const { key } = await operatorKey(stateDir, 'alice@bastion');
    expect((await runCli(['report', 'signed', '--sign', '--key', key, '--format', 'json'], { stateDir })).exitCode).toBe(0);
    const runId = onlyRun(stateDir);
    const signedAt = readEvents(journalOf(stateDir, runId)).at(-1)!;

    expect((await runCli(['resume', '--plain', '--yes'], { stateDir })).exitCode).toBe(0);
    const now = readEvents(journalOf(stateDir, runId)).at(-1)!;
    const verify = await runCli(['verify', runId], { stateDir });
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toContain(
      `signed-report.json: FAILED: signed by ED25519 key SHA256:`,
    );
    expect(verify.stdout).toContain(
      `at the journal's seq ${signedAt.seq} (hash ${(signedAt.hash as string).slice(0, 16)}), but the journal is at seq ${now.seq} (hash ${(now.hash as string).slice(0, 16)}) now`,
    );
  });

  it('refuses to sign without a key (exit 2)', async () => {
    const stateDir = tempStateDir('stepwise-sign-');
    expect((await runCli(['run', writeRunbook(stateDir), '--plain', '--yes'], { stateDir })).exitCode).toBe(0);
    const refused = await runCli(['report', 'signed', '--sign'], { stateDir, env: { HOME: stateDir } });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('no SSH key in ~/.ssh (id_ed25519, id_ecdsa, id_rsa): give --key PATH');
  });
});
