import { maskSecrets } from '../../runbook/mask-secrets.js';

export interface MaskedOutput {
  write(chunk: Buffer): void;
  // Writes what is held back (at the end of the stream).
  end(): void;
}

const quietMs = 200;
const maxHeld = 64 * 1024;
const newline = 0x0a;
const carriageReturn = 0x0d;

// lastIndexOf scans a whole chunk when the byte is absent; indexOf is much faster, and most
// output has no \r at all.
function lastBreak(chunk: Buffer): number {
  const at = chunk.lastIndexOf(newline);
  return chunk.indexOf(carriageReturn, at + 1) === -1 ? at : chunk.lastIndexOf(carriageReturn);
}

// How many bytes at the end start a UTF-8 character that the next chunk completes.
function incompleteCharacter(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

// Step output masked chunk by chunk at full speed, as bytes: text is decoded only where a secret
// shows up. A secret could straddle two chunks, so the bytes after the last line break are held
// back until the next chunk, the end, or a short quiet spell (a progress line without a newline
// still shows). Without secrets nothing is held back.
export function maskedOutput(secrets: readonly string[], emit: (bytes: Buffer) => void): MaskedOutput {
  if (secrets.length === 0) return { write: (chunk) => chunk.length && emit(chunk), end: () => {} };
  const needles = secrets.map((secret) => Buffer.from(secret));
  const overlap = Math.max(...needles.map((needle) => needle.length)) - 1;
  const hasSecret = (bytes: Buffer) => needles.some((needle) => bytes.includes(needle));
  const mask = (bytes: Buffer) => Buffer.from(maskSecrets(bytes.toString('utf8'), secrets));
  const masked = (bytes: Buffer) => (hasSecret(bytes) ? mask(bytes) : bytes);
  // What was held, then the lines that complete it: copied together only when a secret is in
  // them or across the seam between them.
  const emitJoined = (head: Buffer, lines: Buffer) => {
    if (head.length === 0) return emit(masked(lines));
    const seam = Buffer.concat([
      head.subarray(head.length - Math.min(overlap, head.length)),
      lines.subarray(0, overlap),
    ]);
    if (hasSecret(head) || hasSecret(seam) || hasSecret(lines)) {
      return emit(mask(Buffer.concat([head, lines])));
    }
    emit(head);
    emit(lines);
  };
  let held: Buffer = Buffer.alloc(0);
  let timer: NodeJS.Timeout | undefined;
  // Chunks since the timer was set: a busy stream only counts, the timer looks when it fires
  // (moving a timer for each of thousands of chunks a second costs more than the masking).
  let writes = 0;
  const release = (keep: number) => {
    const out = held.subarray(0, held.length - keep);
    held = held.subarray(held.length - keep);
    if (out.length) emit(masked(out));
  };
  const quiet = () => {
    timer = undefined;
    if (writes > 0) return settle();
    release(incompleteCharacter(held));
  };
  const settle = () => {
    writes = 0;
    if (held.length === 0 || timer) return;
    timer = setTimeout(quiet, quietMs);
    timer.unref();
  };
  return {
    write(chunk) {
      const cut = lastBreak(chunk) + 1;
      if (cut > 0) {
        const lines = chunk.subarray(0, cut);
        emitJoined(held, lines);
        held = chunk.subarray(cut);
      } else {
        held = held.length ? Buffer.concat([held, chunk]) : chunk;
      }
      if (held.length > maxHeld) release(incompleteCharacter(held));
      if (timer) writes++;
      else settle();
    },
    end() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      release(0);
    },
  };
}
