import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { EventPayload } from '../../src/journal/events.js';
import { hashLine } from '../../src/journal/file-journal.js';
import { GENESIS } from '../../src/journal/journal.js';

// Writes journal lines as FileJournal.append does (same fields, order and hash chain) but
// buffered and without fsync: a million events through the real journal take an hour of fsyncs.
// Readers check the chain, so a line this writes differently fails the benchmark.
export class BufferedJournal {
  private readonly fd: number;
  private seq = 0;
  private prev = GENESIS;
  private chunks: string[] = [];
  private size = 0;

  // A new journal, or (`after`: its last line's seq and hash) more lines for one a run wrote.
  constructor(path: string, after?: { seq: number; hash: string }) {
    this.fd = openSync(path, after ? 'a' : 'wx');
    if (after) {
      this.seq = after.seq;
      this.prev = after.hash;
    }
  }

  static after(path: string): BufferedJournal {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    return new BufferedJournal(path, JSON.parse(lines[lines.length - 1]) as { seq: number; hash: string });
  }

  append(payload: EventPayload): void {
    const { type, ...rest } = payload;
    this.seq += 1;
    const body = JSON.stringify({ seq: this.seq, ts: new Date().toISOString(), type, ...rest, prev: this.prev });
    const hash = hashLine(this.prev, body);
    const line = `${body.slice(0, -1)},"hash":"${hash}"}\n`;
    this.prev = hash;
    this.chunks.push(line);
    this.size += line.length;
    if (this.size > 4 * 1024 * 1024) this.flush();
  }

  private flush(): void {
    writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
