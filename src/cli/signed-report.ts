import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describeHead, type JournalHead } from '../journal/anchor-mismatch.js';
import { runDir } from '../journal/state-dir.js';

// A sign-off sheet signed with the operator's SSH key (`stepwise report --sign`): the sheet, with
// the journal's head written into it, sits in the run directory with its signature beside it.

// The namespace keeps a report signature from passing for any other file signed with that key.
export const signatureNamespace = 'stepwise-report';

export type SheetFormat = 'md' | 'json';

export function signedReportPath(stateDir: string, runId: string, format: SheetFormat): string {
  return join(runDir(stateDir, runId), `signed-report.${format}`);
}

// The signed sheet of a run, when it has one (the Markdown sheet first).
export function findSignedReport(stateDir: string, runId: string): { path: string; format: SheetFormat } | undefined {
  for (const format of ['md', 'json'] as const) {
    const path = signedReportPath(stateDir, runId, format);
    if (existsSync(path) && existsSync(`${path}.sig`)) return { path, format };
  }
  return undefined;
}

const headPattern = /^Journal head: seq (\d+), hash ([0-9a-f]{64})\.$/m;

// The sheet as signed: the journal head it stands for goes into the signed bytes.
export function sheetWithHead(text: string, format: SheetFormat, head: JournalHead): string {
  if (format === 'json') {
    return `${JSON.stringify({ ...(JSON.parse(text) as object), journal_head: head }, null, 2)}\n`;
  }
  return `${text.trimEnd()}\n\nJournal head: seq ${head.seq}, hash ${head.hash}.\n`;
}

export function headOfSheet(text: string, format: SheetFormat): JournalHead | undefined {
  if (format === 'json') {
    try {
      const head = (JSON.parse(text) as { journal_head?: JournalHead }).journal_head;
      return typeof head?.seq === 'number' && typeof head.hash === 'string' ? head : undefined;
    } catch {
      return undefined;
    }
  }
  const match = headPattern.exec(text);
  return match ? { seq: Number(match[1]), hash: match[2] } : undefined;
}

const doesNotHold = 'the signature does not hold: the sheet changed since it was signed, or the signature is not of it';

// ssh-keygen's own sentence for what went wrong, or a word that it is missing.
function why(result: { stderr: string; stdout: string; code?: string }): string {
  if (result.code === 'ENOENT') return 'ssh-keygen is not installed (the openssh-client package)';
  return (result.stderr || result.stdout).trim().split('\n').at(-1) ?? 'ssh-keygen failed';
}

// Signs `file` into `file.sig` (ssh-keygen asks for the key's passphrase on the terminal).
export async function signFile(key: string, file: string): Promise<string | undefined> {
  const result = await execa('ssh-keygen', ['-Y', 'sign', '-f', key, '-n', signatureNamespace, file], {
    reject: false,
    stdin: 'inherit',
  });
  return result.exitCode === 0 ? undefined : why(result);
}

export type SignatureCheck =
  | { ok: true; signer: string }
  | { ok: false; problem: string; unchecked?: boolean };

// Whether `file.sig` is a good signature of `file`. Without allowed signers, ssh-keygen checks the
// signature against the key inside it (check-novalidate) and the signer is that key's
// fingerprint; with them, the key must be listed there and the signer is its principal.
export async function checkSignature(file: string, allowedSigners?: string): Promise<SignatureCheck> {
  const signature = `${file}.sig`;
  if (!allowedSigners) {
    const result = await execa('ssh-keygen', ['-Y', 'check-novalidate', '-n', signatureNamespace, '-s', signature], {
      reject: false,
      inputFile: file,
    });
    if (result.code === 'ENOENT') return { ok: false, problem: why(result), unchecked: true };
    if (result.exitCode !== 0) return { ok: false, problem: `${doesNotHold} (${why(result)})` };
    const key = /with (\S+ key \S+)/.exec(result.stdout)?.[1] ?? 'an SSH key';
    return { ok: true, signer: `${key} (whose key it is was not checked: give --allowed-signers FILE)` };
  }
  const found = await execa('ssh-keygen', ['-Y', 'find-principals', '-s', signature, '-f', allowedSigners], {
    reject: false,
  });
  if (found.exitCode !== 0) {
    if (found.code === 'ENOENT') return { ok: false, problem: why(found), unchecked: true };
    return { ok: false, problem: `the signing key is not in ${allowedSigners} (${why(found)})` };
  }
  const principal = found.stdout.trim().split('\n')[0];
  const result = await execa(
    'ssh-keygen',
    ['-Y', 'verify', '-f', allowedSigners, '-I', principal, '-n', signatureNamespace, '-s', signature],
    { reject: false, inputFile: file },
  );
  if (result.exitCode !== 0) return { ok: false, problem: `${doesNotHold} (${why(result)})` };
  const key = /with (\S+ key \S+)/.exec(result.stdout)?.[1] ?? 'an SSH key';
  return { ok: true, signer: `${principal} (${key})` };
}

// verify's line about a run's signed report, and whether it fails the run's verification.
export async function describeSignedReport(
  stateDir: string,
  runId: string,
  head: JournalHead | undefined,
  allowedSigners?: string,
): Promise<{ line: string; failed: boolean } | undefined> {
  const found = findSignedReport(stateDir, runId);
  if (!found) return undefined;
  const label = `${runId}: signed report ${found.path}`;
  const checked = await checkSignature(found.path, allowedSigners);
  if (!checked.ok) {
    if (checked.unchecked) return { line: `${label}: not checked: ${checked.problem}`, failed: false };
    return { line: `${label}: FAILED: ${checked.problem}`, failed: true };
  }
  const signed = headOfSheet(readFileSync(found.path, 'utf8'), found.format);
  const now = head ? describeHead(head) : 'no event';
  if (!signed) return { line: `${label}: FAILED: the signed sheet names no journal head`, failed: true };
  if (!head || head.seq !== signed.seq || head.hash !== signed.hash) {
    return {
      line: `${label}: FAILED: signed by ${checked.signer} at the journal's ${describeHead(signed)}, but the journal is at ${now} now`,
      failed: true,
    };
  }
  return { line: `${label}: good signature by ${checked.signer}, at the journal's ${describeHead(signed)}`, failed: false };
}
