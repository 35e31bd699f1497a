import { closeSync, openSync, writeSync } from 'node:fs';

const batchBytes = 256 * 1024;

// A step's log, appended to from the process worker: written synchronously (that thread has
// nothing else to do, and queued writes would be garbage to chase) in batches, one call per
// 256 KB instead of one per pipe read of a few KB. Bytes are copied into the batch, so a caller
// may reuse its buffer. A write that fails (full disk) stops the log and is reported, never the step.
export class LogFile {
  private fd?: number;
  private readonly batch = Buffer.allocUnsafe(batchBytes);
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
    if (this.size + bytes.length > batchBytes) this.flush();
    if (bytes.length >= batchBytes) return this.writeOut(bytes);
    bytes.copy(this.batch, this.size);
    this.size += bytes.length;
  }

  flush(): void {
    if (this.size === 0) return;
    const size = this.size;
    this.size = 0;
    this.writeOut(this.batch.subarray(0, size));
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private writeOut(bytes: Buffer): void {
    if (this.fd === undefined) return;
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done);
    } catch (error) {
      this.error = (error as Error).message;
      this.close();
    }
  }
}
