import type { RunStore } from './run-store.js';

// A step log as the state database holds it, read on a host without the file (`log`, `export`).

export interface StoredLog {
  // The log's bytes from its start up to the first byte missing.
  data: Buffer;
  // Its size as its step closed, when the engine recorded it (store/log-shipper.ts).
  size?: number;
  // The step closed and every byte up to its size is stored.
  whole: boolean;
  // Bytes are stored past a missing range starting here.
  gapAt?: number;
}

// Chunks by offset, each kept once: a range two chunks hold (a chunk written again from the
// file after a failure) is taken from the first.
export function assembleLog(chunks: Array<{ start: number; data: Buffer }>, size?: number): StoredLog {
  const parts: Buffer[] = [];
  let end = 0;
  let gapAt: number | undefined;
  for (const chunk of chunks) {
    if (chunk.start > end) {
      gapAt = end;
      break;
    }
    const from = end - chunk.start;
    if (from >= chunk.data.length) continue;
    parts.push(chunk.data.subarray(from));
    end = chunk.start + chunk.data.length;
  }
  return { data: Buffer.concat(parts), size, whole: size !== undefined && gapAt === undefined && end >= size, gapAt };
}

export async function readStoredLog(store: RunStore, runId: string, log: string): Promise<StoredLog> {
  const { chunks, size } = await store.readLogChunks(runId, log);
  return assembleLog(chunks, size);
}
