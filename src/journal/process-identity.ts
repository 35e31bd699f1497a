import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

// Whether a process with this pid is alive on this host (EPERM: it exists but is not ours). A
// zombie is dead: a killed engine stays one until its new parent (init) reaps it, which can take
// seconds, and its run lock must be free at once.
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = procStatFields(pid)?.[0];
  return state !== 'Z' && state !== 'X';
}

// Fields 3 onwards of /proc/<pid>/stat (Linux), or undefined elsewhere. The command name (field 2)
// may hold spaces and parentheses: count from the last ')'.
function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

// The start time of a process in clock ticks since boot (Linux /proc/<pid>/stat, field 22), or
// undefined elsewhere. Two values differ when the pid was reused by another process.
export function processStartTicks(pid: number): string | undefined {
  return procStatFields(pid)?.[22 - 3];
}

// This host's name in journals and leases: STEPWISE_HOST_ID when set (tests run two "hosts" on
// one machine), else the hostname.
export function hostId(env: NodeJS.ProcessEnv = process.env): string {
  return env.STEPWISE_HOST_ID || hostname();
}
