import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcessTiming {
  ms: number;
  exitCode: number | null;
  // Peak resident memory (VmHWM) of the process itself, read while it runs.
  peakKb?: number;
  stdoutBytes: number;
  stderr: string;
}

// VmHWM from /proc: the peak resident set of a live process, in kB (undefined once it is gone).
export function peakRssKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

// Polls a process's peak memory until stopped; the peak is monotonic, so the last reading
// before the process exits is its peak up to a few milliseconds.
export function watchPeakRss(pid: number, everyMs = 10): { stop(): number | undefined } {
  let peak: number | undefined;
  const read = () => {
    const kb = peakRssKb(pid);
    if (kb !== undefined) peak = Math.max(peak ?? 0, kb);
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      read();
      return peak;
    },
  };
}

// Wall time of a command from spawn to exit, its stdout read through a pipe and thrown away
// (as a terminal would take it), or sent straight to /dev/null.
export function timeProcess(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdout?: 'pipe' | 'ignore'; memory?: boolean } = {},
): Promise<ProcessTiming> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
    });
    const memory = options.memory && child.pid !== undefined ? watchPeakRss(child.pid) : undefined;
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // The process's own status file is gone after 'exit'; the peak is read up to then.
    let peakKb: number | undefined;
    child.once('exit', () => {
      peakKb = memory?.stop();
    });
    child.once('error', reject);
    child.once('close', (exitCode) => {
      resolve({ ms: performance.now() - started, exitCode, peakKb, stdoutBytes, stderr });
    });
  });
}

// CPU time (user + system, all threads) a live process has used, in ms.
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

// Waits until a process has settled after starting: V8 goes on compiling what start-up made hot
// on background threads for a second or two. An operator reads the screen before confirming;
// without this the step of a benchmark would share the machine with that compile work.
export async function waitUntilIdle(
  pid: number,
  options = { windowMs: 300, busyMs: 20, maxMs: 6000 },
): Promise<void> {
  const deadline = Date.now() + options.maxMs;
  let before = cpuMs(pid);
  while (before !== undefined && Date.now() < deadline) {
    await sleep(options.windowMs);
    const now = cpuMs(pid);
    if (now === undefined || now - before <= options.busyMs) return;
    before = now;
  }
}

// CPU time (user + system, the process and its threads) of a whole command, measured by bash's
// `times` after the command ends (bash's own start-up is not in its children's times).
export function cpuOfProcess(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', '"$@" >/dev/null 2>&1; times', 'bash', file, ...args], {
      env: env ?? process.env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', () => {
      // Second line: the children's user and system time, e.g. "0m0.190s 0m0.040s".
      const line = out.trim().split('\n')[1] ?? '';
      const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000);
      if (parts.length !== 2) reject(new Error(`no CPU times from bash: ${out}`));
      else resolve(parts[0] + parts[1]);
    });
  });
}
