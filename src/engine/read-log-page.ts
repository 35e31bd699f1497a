import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { normaliseLine } from './output-tail.js';

// Where a page of a log starts: at the line that starts at byte `from`, or so that it ends
// just before byte `before` (the end of the file when absent).
export type LogPosition = { from: number } | { before?: number };

export interface LogPage {
  // Normalised as the tail is (ANSI stripped, text after the last \r, tabs expanded).
  lines: string[];
  // The byte offset where each line starts.
  starts: number[];
  // The byte offset after the last line shown.
  end: number;
  // The size of the file when it was read.
  size: number;
}

// A screenful is a few KB: reads start small and grow for long lines.
const firstBlock = 8 * 1024;
const maxBlock = 256 * 1024;
// A page never reads further than this: a longer line shows as its part within reach.
const reach = 1024 * 1024;
const newline = 0x0a;

function read(fd: number, start: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  const got = readSync(fd, bytes, 0, length, start);
  return bytes.subarray(0, got);
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(newline); at !== -1; at = bytes.indexOf(newline, at + 1)) n++;
  return n;
}

// Splits bytes read from `base` into lines with their offsets; a line cut by the end of what
// was read is kept.
function splitLines(bytes: Buffer, base: number): Array<{ start: number; end: number; text: string }> {
  const lines: Array<{ start: number; end: number; text: string }> = [];
  let start = 0;
  while (start < bytes.length) {
    const at = bytes.indexOf(newline, start);
    const stop = at === -1 ? bytes.length : at;
    const end = at === -1 ? bytes.length : at + 1;
    lines.push({ start: base + start, end: base + end, text: bytes.toString('utf8', start, stop) });
    start = end;
  }
  return lines;
}

// `count` lines of a step's log, read from the file as it is now (it may still grow): the full
// output, where the screen's tail holds only the last lines. Reads at most about 1 MB.
// Undefined when the file is gone or cannot be read.
export function readLogPage(path: string, position: LogPosition, count: number): LogPage | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    let lines: ReturnType<typeof splitLines>;
    if ('from' in position) {
      const from = Math.min(Math.max(0, position.from), size);
      const chunks: Buffer[] = [];
      let newlines = 0;
      let at = from;
      for (let length = firstBlock; at < size && at - from < reach && newlines < count; length *= 2) {
        const bytes = read(fd, at, Math.min(length, maxBlock, size - at));
        if (bytes.length === 0) break;
        at += bytes.length;
        chunks.push(bytes);
        newlines += countNewlines(bytes);
      }
      lines = splitLines(Buffer.concat(chunks), from).slice(0, count);
    } else {
      const before = Math.min(position.before ?? size, size);
      const chunks: Buffer[] = [];
      let start = before;
      let newlines = 0;
      // One newline more than lines wanted: the line before the first is then known to end.
      for (let length = firstBlock; start > 0 && before - start < reach && newlines <= count; length *= 2) {
        length = Math.min(length, start, maxBlock);
        start -= length;
        const bytes = read(fd, start, length);
        chunks.unshift(bytes);
        newlines += countNewlines(bytes);
      }
      // Reading backwards starts mid-line: with count + 1 newlines read, that part is left out.
      lines = splitLines(Buffer.concat(chunks), start).slice(-count);
    }
    const at = 'from' in position ? position.from : (position.before ?? size);
    const empty = Math.min(at, size);
    return {
      lines: lines.map((line) => normaliseLine(line.text)),
      starts: lines.map((line) => line.start),
      end: lines.at(-1)?.end ?? empty,
      size,
    };
  } finally {
    closeSync(fd);
  }
}
