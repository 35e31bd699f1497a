// The ring a pipe reader thread (pipe-reader-thread.ts) fills with a command's output and the
// process worker (read-pipe.ts) empties: bytes in a SharedArrayBuffer, positions in a small
// Int32Array beside it. Positions count bytes modulo 2^32; the ring's size is a power of two,
// so a position masked by it is the offset in the ring.
export const ringBytes = 4 * 1024 * 1024;

// Indexes in the control array.
export const slot = {
  // Bytes the reader has put in the ring, and the process worker has taken out.
  written: 0,
  consumed: 1,
  // Counts the reader's news (bytes or the end), for Atomics.waitAsync.
  signal: 2,
  // 0 while the pipe is open, then how it ended.
  ended: 3,
} as const;
export const controlSlots = 4;

export const endedBy = { eof: 1, failure: 2 } as const;

export interface ReadOrder {
  fd: number;
  ring: SharedArrayBuffer;
  control: SharedArrayBuffer;
}
