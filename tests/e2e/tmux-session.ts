import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { quote } from 'shell-quote';
import stringWidth from 'string-width';
import { cliPath } from '../helpers/run-cli.js';

export interface PaneSize {
  width: number;
  height: number;
}

export interface TmuxOptions extends Partial<PaneSize> {
  // The terminal the child is told it runs in; TERM=xterm limits colours to the 16 named ones.
  term?: string;
  // Extra variables for every stepwise started in this session.
  env?: Record<string, string>;
  // Another Unix user (and group) every stepwise of this session runs as, as a second person
  // at their own terminal would (setpriv, as root; umask 002 to share the run with the group).
  user?: { name: string; group: string };
}

let sockets = 0;

// The environment tmux (and so every pane) starts from: CI removed, or Ink would only print its
// last frame; no inherited database URL; a UTF-8 locale so captures do not depend on the host's.
function tmuxEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C.UTF-8' };
  delete env.CI;
  delete env.DATABASE_URL;
  delete env.TMUX;
  return env;
}

// One private tmux server (its own socket, no config file) running stepwise in detached
// windows of a fixed size, so tests never touch a user's tmux and see exactly what an operator
// would see in a real terminal.
export class TmuxSession {
  readonly socket = `stepwise-e2e-${process.pid}-${++sockets}`;
  readonly size: PaneSize;
  private readonly term: string;
  private readonly env: Record<string, string>;
  private readonly user?: { name: string; group: string };
  private readonly dir = mkdtempSync(join(tmpdir(), 'stepwise-tmux-'));
  private readonly windows = new Map<string, { shell: number; exitFile: string }>();

  constructor(options: TmuxOptions = {}) {
    this.size = { width: options.width ?? 120, height: options.height ?? 36 };
    this.term = options.term ?? 'xterm-256color';
    this.env = options.env ?? {};
    this.user = options.user;
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
      env: tmuxEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  // What a window runs: `node <cli> <args>` with CI unset (the server's environment may be
  // older than this test's), TERM set and the operator named, then the exit status written to
  // a file (tmux's own #{pane_dead_status} is sometimes left empty).
  private command(args: string[], exitFile: string): string[] {
    const vars = Object.entries({ TERM: this.term, STEPWISE_OPERATOR: 'tester', ...this.env }).map(
      ([k, v]) => `${k}=${v}`,
    );
    const as = this.user
      ? ['setpriv', '--reuid', this.user.name, '--regid', this.user.group, '--init-groups', 'sh', '-c', 'umask 002; exec "$@"', 'sh']
      : [];
    const stepwise = quote([...as, 'env', '-u', 'CI', '-u', 'DATABASE_URL', ...vars, 'node', cliPath, ...args]);
    return ['sh', '-c', `${stepwise}; echo $? > ${quote([exitFile])}`];
  }

  // Starts the session with `stepwise <args>` in window 0. Dead panes stay (remain-on-exit) so
  // a test can read their last screen.
  start(args: string[]): string {
    const { width, height } = this.size;
    const exitFile = this.nextExitFile();
    this.tmux(
      'new-session', '-d', '-s', 'e2e', '-x', String(width), '-y', String(height),
      ...this.command(args, exitFile),
      ';', 'set-option', '-g', 'remain-on-exit', 'on',
    );
    return this.remember('e2e:0', exitFile);
  }

  // Runs `stepwise <args>` in a new window, as an operator opening a second terminal would.
  newWindow(args: string[]): string {
    const exitFile = this.nextExitFile();
    const command = this.command(args, exitFile);
    const index = this.tmux('new-window', '-P', '-F', '#{window_index}', '-t', 'e2e', ...command).trim();
    return this.remember(`e2e:${index}`, exitFile);
  }

  private nextExitFile(): string {
    return join(this.dir, `exit-${this.windows.size}`);
  }

  private remember(target: string, exitFile: string): string {
    const shell = Number(this.tmux('display-message', '-p', '-t', target, '#{pane_pid}').trim());
    this.windows.set(target, { shell, exitFile });
    return target;
  }

  // The stepwise process a window runs (its shell's child), once it has started.
  stepwisePid(target: string): number | undefined {
    const shell = this.windows.get(target)?.shell;
    return shell === undefined ? undefined : childrenOf(shell)[0];
  }

  // Keys as tmux names them: 'a', 'Enter', 'Escape', 'C-c'.
  keys(target: string, ...keys: string[]): void {
    for (const key of keys) this.tmux('send-keys', '-t', target, key);
  }

  // Text typed literally (-l), not read as key names.
  type(target: string, text: string): void {
    this.tmux('send-keys', '-t', target, '-l', text);
  }

  resize(size: PaneSize): void {
    this.tmux('resize-window', '-t', 'e2e', '-x', String(size.width), '-y', String(size.height));
    this.size.width = size.width;
    this.size.height = size.height;
  }

  // What the pane shows now, one string per row. joinWrapped (-J) rejoins rows the terminal
  // wrapped, so a line drawn wider than the pane shows up as one over-long line.
  screen(target: string, options: { joinWrapped?: boolean; escapes?: boolean } = {}): string {
    const flags = ['-p', ...(options.joinWrapped ? ['-J'] : []), ...(options.escapes ? ['-e'] : [])];
    return this.tmux('capture-pane', ...flags, '-t', target);
  }

  // Polls the pane until it shows the text (or matches the pattern); fails with the last screen.
  async waitFor(target: string, expected: string | RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let shown = '';
    while (Date.now() < deadline) {
      shown = this.screen(target);
      if (typeof expected === 'string' ? shown.includes(expected) : expected.test(shown)) return shown;
      await sleep(100);
    }
    throw new Error(`pane ${target} did not show ${String(expected)} within ${timeoutMs} ms:\n${shown}`);
  }

  // stepwise's exit status in that window, once it has exited.
  exitStatus(target: string): number | undefined {
    const file = this.windows.get(target)?.exitFile;
    if (!file || !existsSync(file)) return undefined;
    const text = readFileSync(file, 'utf8').trim();
    return text ? Number(text) : undefined;
  }

  async waitForExit(target: string, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const status = this.exitStatus(target);
      if (status !== undefined) return status;
      await sleep(100);
    }
    throw new Error(`stepwise in ${target} did not exit within ${timeoutMs} ms:\n${this.screen(target)}`);
  }

  // Ends the server and waits for every stepwise it started to be gone (the hang-up pauses a
  // run still open, and its files must be closed before the test removes its directory).
  async kill(): Promise<void> {
    const stepwise = [...this.windows.values()].flatMap((w) => childrenOf(w.shell));
    try {
      // tmux leaves its socket file behind when the server is killed.
      const socketPath = this.tmux('display-message', '-p', '#{socket_path}').trim();
      this.tmux('kill-server');
      rmSync(socketPath, { force: true });
    } catch {
      // Already gone: every window had exited before remain-on-exit was set.
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && stepwise.some(isRunning)) await sleep(50);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function childrenOf(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return children.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Rows wider than the pane (after rejoining wrapped rows) or more rows than it has mean the
// TUI drew past the terminal's edge.
export function overflowingRows(screen: string, size: PaneSize): string[] {
  const rows = screen.replace(/\n$/, '').split('\n');
  const wide = rows.filter((row) => stringWidth(row) > size.width);
  return rows.length > size.height ? [...wide, `${rows.length} rows in a ${size.height}-row pane`] : wide;
}
