import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PgJournal } from './pg-journal.js';

// Step logs are written on the engine's host; in team mode they are copied into the state
// database as they grow, so `log` works from any host. A second after a log grew its new bytes go
// in chunks at their offset (the worker writes them, off the step's path); the rest when the
// journal closes.
const everyMs = 1000;
const chunkBytes = 1024 * 1024;

export function shipLogs(journal: PgJournal, logsDir: string): void {
  const shipped = new Map<string, number>();
  const ship = () => {
    let names: string[];
    try {
      names = readdirSync(logsDir).filter((n) => n.endsWith('.log'));
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(logsDir, name);
      const from = shipped.get(name) ?? 0;
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        continue;
      }
      if (size <= from) continue;
      const fd = openSync(path, 'r');
      try {
        for (let start = from; start < size; start += chunkBytes) {
          const data = Buffer.alloc(Math.min(chunkBytes, size - start));
          const read = readSync(fd, data, 0, data.length, start);
          journal.post({ method: 'logChunk', log: name, start, data: data.subarray(0, read) });
        }
      } finally {
        closeSync(fd);
      }
      shipped.set(name, size);
    }
  };
  const timer = setInterval(ship, everyMs);
  timer.unref();
  journal.onClose(() => {
    clearInterval(timer);
    ship();
  });
}
