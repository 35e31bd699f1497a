import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../journal/process-identity.js';
import { runDir } from '../journal/state-dir.js';

// Linux truncates a Unix socket path past 107 bytes without a word (a socket named `en`
// instead of `engine.sock`); a run directory under a home directory passes that easily.
export const maxSocketPathBytes = 107;

export interface EngineRecord {
  pid: number;
  socket: string;
  protocol: number;
  host: string;
  startedAt: string;
}

export function engineRecordPath(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), 'engine.json');
}

export function engineLogPath(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), 'engine.log');
}

export function proofDir(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), 'clients');
}

// The socket in the run directory when its path fits; otherwise in a directory of its own
// under $XDG_RUNTIME_DIR (or the temporary directory) named by a hash of the run directory.
// Either way the path is recorded in engine.json, where clients look for it.
export function chooseSocketPath(stateDir: string, runId: string, env = process.env): { dir?: string; path: string } {
  const inRun = join(runDir(stateDir, runId), 'engine.sock');
  if (Buffer.byteLength(inRun) <= maxSocketPathBytes) return { path: inRun };
  const digest = createHash('sha256').update(runDir(stateDir, runId)).digest('hex').slice(0, 16);
  const dir = join(env.XDG_RUNTIME_DIR || tmpdir(), `stepwise-${digest}`);
  return { dir, path: join(dir, 'engine.sock') };
}

export function readEngineRecord(stateDir: string, runId: string): EngineRecord | undefined {
  try {
    return JSON.parse(readFileSync(engineRecordPath(stateDir, runId), 'utf8')) as EngineRecord;
  } catch {
    return undefined;
  }
}

// The record of an engine that is alive now (a killed one leaves its record behind).
export function liveEngineRecord(stateDir: string, runId: string): EngineRecord | undefined {
  const record = readEngineRecord(stateDir, runId);
  return record && isProcessAlive(record.pid) ? record : undefined;
}
