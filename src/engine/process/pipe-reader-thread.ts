import { readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { endedBy, type ReadOrder, slot } from './pipe-ring.js';

// A thread that only reads a command's output pipe, with blocking reads of whatever the pipe
// holds straight into the ring (pipe-ring.ts), until the last writer closes it. An event loop
// reading the pipe wakes and runs JavaScript for every few KB the command writes, thousands of
// times a second, and slows a command that prints a lot by a third; this loop costs about what
// `cat` costs, and the process worker takes the output from the ring in large pieces.

if (!parentPort) throw new Error('pipe-reader-thread.ts runs as a worker thread (read-pipe.ts starts it)');

function signal(state: Int32Array): void {
  Atomics.add(state, slot.signal, 1);
  Atomics.notify(state, slot.signal);
}

parentPort.on('message', ({ fd, ring, control }: ReadOrder) => {
  const bytes = new Uint8Array(ring);
  const state = new Int32Array(control);
  const size = bytes.length;
  let written = 0;
  let end: number = endedBy.eof;
  for (;;) {
    const consumed = Atomics.load(state, slot.consumed);
    const used = (written - consumed) | 0;
    if (used === size) {
      Atomics.wait(state, slot.consumed, consumed);
      continue;
    }
    const at = written & (size - 1);
    let read: number;
    try {
      read = readSync(fd, bytes, at, Math.min(size - at, size - used), null);
    } catch {
      end = endedBy.failure;
      break;
    }
    if (read === 0) break;
    written = (written + read) | 0;
    Atomics.store(state, slot.written, written);
    signal(state);
  }
  Atomics.store(state, slot.ended, end);
  signal(state);
});
