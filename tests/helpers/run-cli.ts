import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { readEngineRecord } from '../../src/protocol/engine-record.js';

// The built CLI (npm test builds it first), run as a real child process. STEPWISE_CLI points
// at another build, so a developer can test without rebuilding the shared dist/.
export const cliPath =
  process.env.STEPWISE_CLI ?? resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export function tempStateDir(prefix = 'stepwise-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliOptions {
  stateDir: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

// Env for a child: CI removed so it behaves as on an operator's machine, no inherited DB URL.
function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ...process.env, CI: undefined, DATABASE_URL: undefined, STEPWISE_OPERATOR: 'tester', ...extra };
}

export function startCli(args: string[], options: CliOptions) {
  return execa('node', [cliPath, ...args, '--state-dir', options.stateDir], {
    env: childEnv(options.env),
    extendEnv: false,
    reject: false,
    cwd: options.cwd,
    stdin: 'ignore',
    all: true,
  });
}

export async function runCli(args: string[], options: CliOptions) {
  return await startCli(args, options);
}

export interface JournalLine {
  seq: number;
  type: string;
  step?: string;
  [key: string]: unknown;
}

export function readEvents(path: string): JournalLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as JournalLine];
      } catch {
        return [];
      }
    });
}

// kill -9 of a run: its engine process (which runs the steps and holds the journal) and the
// command that started it. Killing the command alone would leave the run going on in its engine.
export async function killRun(child: ReturnType<typeof startCli>, stateDir: string): Promise<void> {
  const runs = join(stateDir, 'runs');
  for (const runId of existsSync(runs) ? readdirSync(runs) : []) {
    const record = readEngineRecord(stateDir, runId);
    if (record) process.kill(record.pid, 'SIGKILL');
  }
  child.kill('SIGKILL');
  await child;
}
