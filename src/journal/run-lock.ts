import { mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StepwiseError } from '../errors/stepwise-error.js';
import { locksDir } from './state-dir.js';
import { isProcessAlive, processStartTicks } from './process-identity.js';

// One live run per runbook name and state dir (ARCHITECTURE.md, Where state lives). The lock is a directory
// made by proper-lockfile (mkdir is atomic, its mtime is refreshed while the run lives); beside it
// a holder record says who holds it, for the loser's message and for stale detection.

export interface LockHolder {
  runId: string;
  operator: string;
  pid: number;
  host: string;
  startedAt: string;
}

interface HolderRecord extends LockHolder {
  // Tells a reused pid from the holder itself (Linux only).
  procStart?: string;
}

export interface RunLock {
  readonly path: string;
  readonly holder: LockHolder;
  // Idempotent; also done on process exit.
  release(): Promise<void>;
}

export interface RunLockPaths {
  // The lock itself (a directory): what an operator removes by hand when its holder is gone.
  dir: string;
  holder: string;
  base: string;
  guard: string;
}

export type RunLockStatus =
  | { state: 'free'; path: string }
  | { state: 'held' | 'stale'; path: string; holder?: LockHolder };

// A holder on another host refreshes the lock's mtime every few seconds; this long without a
// refresh, it is gone. A holder on this host is judged by its pid instead.
const refreshMs = 5_000;
const remoteStaleMs = 30_000;
// proper-lockfile's own staleness is off (a day): a busy event loop must not lose the lock.
const lockfileStaleMs = 24 * 60 * 60 * 1000;

const heldHere = new Set<string>();

// Loaded when a lock is taken: commands that only look at a lock (status) never pay for it.
const lockfile = async () => (await import('proper-lockfile')).default;

export function runLockPaths(stateDir: string, runbookName: string): RunLockPaths {
  const dir = locksDir(stateDir);
  return {
    dir: join(dir, `${runbookName}.lock`),
    holder: join(dir, `${runbookName}.holder.json`),
    base: join(dir, runbookName),
    guard: join(dir, `${runbookName}.acquiring`),
  };
}

function readHolder(path: string): HolderRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as HolderRecord;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function writeHolder(path: string, record: HolderRecord): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(record)}\n`);
  renameSync(temp, path);
}

function sameHolder(a: LockHolder | undefined, b: LockHolder): boolean {
  return (
    a !== undefined &&
    a.runId === b.runId &&
    a.pid === b.pid &&
    a.host === b.host &&
    a.startedAt === b.startedAt
  );
}

function publicHolder(record: HolderRecord): LockHolder {
  const { runId, operator, pid, host, startedAt } = record;
  return { runId, operator, pid, host, startedAt };
}

function holderGone(record: HolderRecord): boolean {
  if (!isProcessAlive(record.pid)) return true;
  if (record.procStart !== undefined) {
    const now = processStartTicks(record.pid);
    if (now !== undefined && now !== record.procStart) return true;
  }
  // Our own pid, yet not held by this process: a previous process (e.g. a restarted container).
  return record.pid === process.pid;
}

function judge(paths: RunLockPaths, now = Date.now()): RunLockStatus {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(paths.dir).mtimeMs;
  } catch {
    return { state: 'free', path: paths.dir };
  }
  const record = readHolder(paths.holder);
  const holder = record && publicHolder(record);
  if (heldHere.has(paths.dir)) return { state: 'held', path: paths.dir, holder };
  const stale =
    record !== undefined && record.host === hostname() ? holderGone(record) : now - mtimeMs > remoteStaleMs;
  return { state: stale ? 'stale' : 'held', path: paths.dir, holder };
}

// Who holds the lock of a runbook, and whether that holder is still alive (for `status`).
export function inspectRunLock(stateDir: string, runbookName: string): RunLockStatus {
  return judge(runLockPaths(stateDir, runbookName));
}

// Whether a process is driving this run right now.
export function isRunLive(stateDir: string, runbookName: string, runId: string): boolean {
  const status = inspectRunLock(stateDir, runbookName);
  return status.state === 'held' && status.holder?.runId === runId;
}

function describeHolder(holder: LockHolder): string {
  if (!holder.operator.includes('@')) return `${holder.operator}@${holder.host}`;
  return holder.operator.endsWith(`@${holder.host}`)
    ? holder.operator
    : `${holder.operator} on ${holder.host}`;
}

function describeSince(iso: string, now = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const [date, time] = at.toISOString().split('T');
  const clock = `${time.slice(0, 8)}Z`;
  return date === now.toISOString().slice(0, 10) ? clock : `${date} ${clock}`;
}

export class RunLockedError extends StepwiseError {
  constructor(
    readonly runbook: string,
    readonly holder: LockHolder | undefined,
    readonly path: string,
  ) {
    super(
      holder
        ? `${runbook} is locked by ${describeHolder(holder)} (pid ${holder.pid}, run ${holder.runId}, ` +
            `since ${describeSince(holder.startedAt)}); wait for it to finish, or if that process is gone ` +
            `on its host, remove ${path}`
        : `${runbook} is locked by a stepwise process that has not recorded itself; wait for it to finish, ` +
            `or if no stepwise process is running, remove ${path}`,
      'locked',
    );
  }
}

// Acquiring (judge, clear a stale lock, take it, record the holder) happens under a short-lived
// guard lock, so two processes never both decide that the same stale lock is theirs.
async function withGuard<T>(paths: RunLockPaths, runbookName: string, work: () => Promise<T>): Promise<T> {
  let releaseGuard: () => Promise<void>;
  try {
    // A file of its own: proper-lockfile tracks its locks by file, not by lock path.
    releaseGuard = await (await lockfile()).lock(paths.guard, {
      lockfilePath: `${paths.guard}.lock`,
      realpath: false,
      stale: 10_000,
      retries: { retries: 60, minTimeout: 20, maxTimeout: 100, factor: 1.5 },
      onCompromised: () => {},
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    throw new RunLockedError(runbookName, readHolder(paths.holder), paths.dir);
  }
  try {
    return await work();
  } finally {
    await releaseGuard().catch(() => undefined);
  }
}

export interface RunLockOptions {
  // How often the lock's mtime is refreshed (at least 1 s).
  refreshMs?: number;
}

export async function acquireRunLock(
  stateDir: string,
  runbookName: string,
  holder: LockHolder,
  options: RunLockOptions = {},
): Promise<RunLock> {
  mkdirSync(locksDir(stateDir), { recursive: true });
  const paths = runLockPaths(stateDir, runbookName);
  return withGuard(paths, runbookName, async () => {
    const status = judge(paths);
    if (status.state === 'held') throw new RunLockedError(runbookName, status.holder, paths.dir);
    if (status.state === 'stale') {
      rmSync(paths.holder, { force: true });
      rmSync(paths.dir, { recursive: true, force: true });
    }
    const lock = new HeldRunLock(paths, runbookName, holder, options.refreshMs ?? refreshMs);
    await lock.take();
    return lock;
  });
}

class HeldRunLock implements RunLock {
  private unlock?: () => Promise<void>;
  private compromised = false;
  private released?: Promise<void>;
  private readonly onExit = () => this.cleanUpAtExit();

  constructor(
    private readonly paths: RunLockPaths,
    private readonly runbookName: string,
    readonly holder: LockHolder,
    private readonly refreshMs: number,
  ) {}

  get path(): string {
    return this.paths.dir;
  }

  async take(): Promise<void> {
    try {
      this.unlock = await (await lockfile()).lock(this.paths.base, {
        lockfilePath: this.paths.dir,
        realpath: false,
        stale: lockfileStaleMs,
        update: this.refreshMs,
        onCompromised: (error) => this.onCompromised(error),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      throw new RunLockedError(this.runbookName, readHolder(this.paths.holder), this.paths.dir);
    }
    writeHolder(this.paths.holder, { ...this.holder, procStart: processStartTicks(this.holder.pid) });
    heldHere.add(this.paths.dir);
    process.on('exit', this.onExit);
  }

  // The lock directory vanished or was touched by someone else: say so once, never crash the run.
  private onCompromised(error: Error): void {
    this.compromised = true;
    process.stderr.write(
      `stepwise: warning: the run lock ${this.paths.dir} was changed by someone else (${error.message}); ` +
        `make sure no other process drives ${this.runbookName}\n`,
    );
  }

  private ours(): boolean {
    return sameHolder(readHolder(this.paths.holder), this.holder);
  }

  // The holder record goes first: a lock directory without a record reads as "held", never as
  // someone else's stale lock.
  release(): Promise<void> {
    this.released ??= (async () => {
      process.off('exit', this.onExit);
      heldHere.delete(this.paths.dir);
      const ours = this.ours();
      if (ours) rmSync(this.paths.holder, { force: true });
      if (!this.compromised) await this.unlock?.().catch(() => undefined);
      else if (ours) rmSync(this.paths.dir, { recursive: true, force: true });
    })();
    return this.released;
  }

  // proper-lockfile removes its lock directory on exit; the holder record is ours to remove.
  private cleanUpAtExit(): void {
    if (!this.ours()) return;
    try {
      unlinkSync(this.paths.holder);
      if (this.compromised) rmSync(this.paths.dir, { recursive: true, force: true });
    } catch {
      // Exiting anyway: a leftover record without a lock directory means nothing.
    }
  }
}
