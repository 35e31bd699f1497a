import { closeSync, openSync, writevSync } from 'node:fs';

const batchBytes = 256 * 1024;

// A step's log, appended to from the process worker: written synchronously (that thread has
// nothing else to do, and queued writes would be garbage to chase) in batches, one call per
// 256 KB instead of one per pipe read of a few KB. A write that fails (full disk) stops the
// log and is reported, never the step.
export class LogFile {
  private fd?: number;
  private pending: Buffer[] = [];
  private size = 0;
  error?: string;

  constructor(path: string | undefined) {
    if (path === undefined) return;
    try {
      this.fd = openSync(path, 'a');
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  write(bytes: Buffer): void {
    if (this.fd === undefined) return;
    this.pending.push(bytes);
    this.size += bytes.length;
    if (this.size >= batchBytes) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.size === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.size = 0;
    try {
      writevSync(this.fd, batch);
    } catch (error) {
      this.error = (error as Error).message;
      this.close();
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
