import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunStore } from './run-store.js';

// Copies a run's step logs into the state database (log_chunks), in the journal's worker thread
// (journal-worker.ts). The file is the source of truth: a log is copied from the end of what the
// database holds of it without a gap, so a chunk whose write failed is written again, from the
// file at its offset, the next time; a chunk is keyed by run, log and offset, so one that landed
// after all is not doubled. A closed step's log is made whole and its size recorded (log_ends),
// tried again on every pass until it is.

const chunkBytes = 1024 * 1024;
const retryEveryMs = 250;

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class LogShipper {
  // Bytes of each log known stored from its start without a gap; forgotten on a failure, when
  // the database is asked again.
  private readonly stored = new Map<string, number>();
  // Logs whose step closed and whose size is not recorded yet.
  private readonly closing = new Set<string>();

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
    private readonly dir: string,
  ) {}

  // Every log's new bytes, for up to `forMs` (the engine's next call waits behind a pass); a log
  // that fails or is not reached waits for the next pass.
  async shipAll(forMs: number): Promise<void> {
    const until = Date.now() + forMs;
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.log'));
    } catch {
      return;
    }
    for (const name of names) await (this.closing.has(name) ? this.finish(name, until) : this.ship(name, until)).catch(() => undefined);
  }

  // Makes a closed step's log whole in the database, trying for `forMs`; why not, if it is not
  // (later passes go on trying).
  async complete(name: string, forMs: number): Promise<string | undefined> {
    this.closing.add(name);
    const until = Date.now() + forMs;
    for (;;) {
      try {
        await this.finish(name, until);
        return undefined;
      } catch (error) {
        if (Date.now() >= until) return errorMessage(error);
        await sleep(retryEveryMs);
      }
    }
  }

  private async finish(name: string, until: number): Promise<void> {
    const size = await this.ship(name, until);
    if (size !== undefined) await this.store.endLog(this.runId, name, size);
    this.closing.delete(name);
  }

  // Copies the log up to its size now, which it returns (undefined: the file is not on this host),
  // unless `until` passes first.
  private async ship(name: string, until: number): Promise<number | undefined> {
    let size: number;
    try {
      size = statSync(join(this.dir, name)).size;
    } catch {
      return undefined;
    }
    let from = this.stored.get(name) ?? contiguousEnd(await this.store.logSpans(this.runId, name));
    this.stored.set(name, from);
    if (from >= size) return size;
    const fd = openSync(join(this.dir, name), 'r');
    try {
      // One chunk at least, whatever the time: its failure says why better than the time.
      for (let first = true; from < size; first = false) {
        if (!first && Date.now() >= until) throw new Error(`${from} of its ${size} bytes copied so far`);
        const data = Buffer.alloc(Math.min(chunkBytes, size - from));
        const read = readSync(fd, data, 0, data.length, from);
        if (read === 0) break;
        try {
          await this.store.appendLogChunk(this.runId, name, from, data.subarray(0, read));
        } catch (error) {
          this.stored.delete(name);
          throw error;
        }
        from += read;
        this.stored.set(name, from);
      }
    } finally {
      closeSync(fd);
    }
    return size;
  }
}

// Where the stored bytes from offset 0 end, at the first missing range.
function contiguousEnd(spans: Array<{ start: number; end: number }>): number {
  let end = 0;
  for (const span of spans) {
    if (span.start > end) break;
    end = Math.max(end, span.end);
  }
  return end;
}
