import { closeSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { controlSlots, endedBy, type ReadOrder, ringBytes, slot } from './pipe-ring.js';
import { startWorker } from './start-worker.js';

// While a command prints, the process worker takes what the ring holds this often: its output is
// masked, logged and counted in a few hundred pieces a second instead of one per pipe read.
const gatherMs = 2;

interface Reader {
  thread: Worker;
  ring: SharedArrayBuffer;
}

// The ring's bytes are copied here before anything reads them: Buffer methods on shared memory
// (indexOf, Buffer.from) are several times slower, and the reader fills that part of the ring again.
const scratch = Buffer.allocUnsafe(1024 * 1024);

// Reader threads waiting for a pipe: one per command running at once, kept for the next.
const idle: Reader[] = [];

function reader(): Reader {
  const free = idle.pop();
  if (free) return free;
  const thread = startWorker('pipe-reader-thread', { resourceLimits: { maxYoungGenerationSizeMb: 1 } });
  thread.unref();
  return { thread, ring: new SharedArrayBuffer(ringBytes) };
}

// Starts a reader thread ahead of the first command.
export function warmUpPipeReader(): void {
  idle.push(reader());
}

// Reads a pipe to its end in a reader thread (pipe-reader-thread.ts), handing `sink` its bytes
// in large pieces, in order; `sink` must copy what it keeps, as the next piece reuses the memory.
// Owns `fd` (closed at the end, by this thread, which opened it). Resolves once every byte was handed
// over; `failed` when a read failed, so the output may be incomplete.
export function readPipe(fd: number, sink: (bytes: Buffer) => void): Promise<{ failed: boolean }> {
  const { thread, ring } = reader();
  const control = new SharedArrayBuffer(controlSlots * Int32Array.BYTES_PER_ELEMENT);
  const state = new Int32Array(control);
  const bytes = Buffer.from(ring);
  thread.postMessage({ fd, ring, control } satisfies ReadOrder);
  let consumed = 0;
  return new Promise((resolve) => {
    const take = () => {
      const seen = Atomics.load(state, slot.signal);
      const written = Atomics.load(state, slot.written);
      const took = consumed !== written;
      while (consumed !== written) {
        const at = consumed & (ringBytes - 1);
        const length = Math.min(ringBytes - at, (written - consumed) | 0, scratch.length);
        bytes.copy(scratch, 0, at, at + length);
        sink(scratch.subarray(0, length));
        consumed = (consumed + length) | 0;
      }
      Atomics.store(state, slot.consumed, consumed);
      Atomics.notify(state, slot.consumed);
      const ended = Atomics.load(state, slot.ended);
      if (ended !== 0 && Atomics.load(state, slot.written) === consumed) {
        closeSync(fd);
        idle.push({ thread, ring });
        return resolve({ failed: ended === endedBy.failure });
      }
      // While output flows, look again shortly; after a quiet spell, sleep until the reader has news.
      if (took) return void setTimeout(take, gatherMs);
      const news = Atomics.waitAsync(state, slot.signal, seen);
      if (news.async) void news.value.then(take);
      else take();
    };
    take();
  });
}
