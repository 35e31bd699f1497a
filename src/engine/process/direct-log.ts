import { closeSync, fstatSync, openSync, readSync, statfsSync } from 'node:fs';
import type { OutputTail } from '../output-tail.js';
import type { ProcessJob } from './process-job.js';

const readBytes = 1024 * 1024;
// Read back every 20 ms while the command writes, so that little is left to read (and count) when
// it exits; less and less often, down to every 250 ms, while it is quiet.
const busyReadMs = 20;
const quietReadMs = 250;
// Written straight to, a full disk would fail the command's own writes; through a pipe it stops
// only the log (log-file.ts). Below this much room the pipe is taken.
const minFreeBytes = 1024 ** 3;

export interface DirectLog {
  // Open for appending, for the command's stdout and stderr.
  fd: number;
  // The log's size before the command: what an earlier writer left is not this command's output.
  from: number;
}

// Output that needs no masking and no matching goes straight from the command into its log
// file, as `command >> log 2>&1` would: the command never waits for stepwise to drain a pipe,
// stdout and stderr keep the order they were written in, and the tail is read back from the file.
export function openDirectLog(job: ProcessJob): DirectLog | undefined {
  if (job.log === undefined || job.secrets.length > 0 || job.pattern !== undefined) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(job.log, 'a');
    const file = fstatSync(fd);
    const disk = statfsSync(job.log);
    if (file.isFile() && disk.bavail * disk.bsize >= minFreeBytes) return { fd, from: file.size };
  } catch {
    // The pipe then, which reports a log it cannot write without failing the step.
  }
  if (fd !== undefined) closeSync(fd);
  return undefined;
}

// Reads what a command writes into its log, from where the last read stopped, into the step's
// tail (its line count and latest lines).
export class LogFollower {
  private fd?: number;
  private offset: number;
  private timer?: NodeJS.Timeout;
  private readonly buffer = Buffer.allocUnsafe(readBytes);
  error?: string;

  constructor(
    path: string,
    from: number,
    private readonly tail: OutputTail,
  ) {
    this.offset = from;
    try {
      this.fd = openSync(path, 'r');
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  // Reads on a timer until closed; `changed` is told when anything new was read.
  follow(changed: () => void): void {
    const next = (delayMs: number) => {
      this.timer = setTimeout(() => {
        const got = this.read();
        if (got) changed();
        if (this.fd !== undefined) next(got ? busyReadMs : Math.min(delayMs * 2, quietReadMs));
      }, delayMs);
    };
    next(busyReadMs);
  }

  // True when anything new was read.
  read(): boolean {
    if (this.fd === undefined) return false;
    let any = false;
    try {
      for (;;) {
        const n = readSync(this.fd, this.buffer, 0, readBytes, this.offset);
        if (n <= 0) return any;
        this.offset += n;
        // A copy: the tail keeps the latest bytes, and the buffer is read into again.
        this.tail.push(Buffer.from(this.buffer.subarray(0, n)));
        any = true;
      }
    } catch (error) {
      this.error = (error as Error).message;
      this.close();
      return any;
    }
  }

  close(): void {
    clearTimeout(this.timer);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
