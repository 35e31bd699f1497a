import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { proofFileName } from '../protocol/handshake.js';

export interface VerifiedUser {
  uid: number;
  user: string;
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

// Node cannot read a Unix socket peer's credentials, so the client proves who it is with a file:
// it creates, in the run's clients directory, a file named after the nonce the engine sent it
// alone, and the kernel records the file's owner. Only a process of that user could have made
// that file after hearing the nonce. The file is removed whatever the answer.
export async function verifyProof(dir: string, nonce: string): Promise<VerifiedUser | string> {
  const path = join(dir, proofFileName(nonce));
  try {
    const stat = lstatSync(path);
    if (!stat.isFile()) return 'the identity proof is not a regular file';
    return { uid: stat.uid, user: await userName(stat.uid) };
  } catch {
    return `no identity proof in ${dir}: the client must create ${proofFileName(nonce)} there`;
  } finally {
    rmSync(path, { force: true });
  }
}

const names = new Map<number, string>();

// The account name the system database gives the uid (getent covers LDAP and friends too);
// a uid with no name is shown as such. The engine's own uid, the usual client, needs no process.
export async function userName(uid: number): Promise<string> {
  const known = names.get(uid);
  if (known) return known;
  const name = uid === process.getuid?.() ? userInfo().username : await lookUp(uid);
  names.set(uid, name);
  return name;
}

async function lookUp(uid: number): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('getent', ['passwd', String(uid)], { timeout: 5000 });
    return stdout.split(':')[0] || `uid ${uid}`;
  } catch {
    return `uid ${uid}`;
  }
}
