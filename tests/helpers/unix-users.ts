import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { cliPath } from './run-cli.js';

// Other users run the built CLI from this checkout: every directory above it must let them through.
function reachableByOthers(path: string): boolean {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
  }
  return true;
}

// Two people on one machine: Unix users in a shared group, created on first use. Creating them
// needs root, which CI has, and a checkout other users can read; elsewhere these stories are skipped.
export const canSwitchUsers = process.getuid?.() === 0 && reachableByOthers(cliPath);
export const group = 'stepwise_ops';
export const alice = 'stepwise_alice';
export const bob = 'stepwise_bob';

export function ensureUsers(): void {
  execFileSync('groupadd', ['-f', group]);
  for (const user of [alice, bob]) {
    try {
      execFileSync('id', ['-u', user], { stdio: 'ignore' });
    } catch {
      execFileSync('useradd', ['-M', '-N', '-g', group, '-s', '/bin/sh', user]);
    }
  }
}

// A state dir every member of the group can read and append to (setgid: new files keep the
// group), as a team sets one up; what is already in it is shared too.
export function shareWithGroup(dir: string): void {
  ensureUsers();
  execFileSync('chgrp', ['-R', group, dir]);
  execFileSync('chmod', ['-R', 'g+rwX', dir]);
  execFileSync('find', [dir, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
  execFileSync('chmod', ['o-rwx', dir]);
}

// The built CLI as another Unix user with that user's groups and a umask that shares with the group.
export function cliAs(
  user: string,
  args: string[],
  options: { stateDir: string; env?: Record<string, string | undefined> },
) {
  return execa(
    'setpriv',
    [
      '--reuid', user, '--regid', group, '--init-groups',
      'sh', '-c', 'umask 002; exec "$@"', 'sh',
      process.execPath, cliPath, ...args, '--state-dir', options.stateDir,
    ],
    {
      reject: false,
      all: true,
      stdin: 'ignore',
      env: { ...process.env, CI: undefined, DATABASE_URL: undefined, STEPWISE_OPERATOR: undefined, HOME: options.stateDir, ...options.env },
    },
  );
}
