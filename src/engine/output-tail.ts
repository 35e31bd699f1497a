import stripAnsi from 'strip-ansi';

// Enough recent output for a full tail of ordinary lines; longer lines leave fewer of them.
const keepBytes = 64 * 1024;
const longestLine = 4096;
const newline = 0x0a;

export interface TailSnapshot {
  lines: string[];
  total: number;
}

// A bounded tail of a step's output for the screen: the full output goes to the log file.
// push() runs for every chunk of a busy step, so it only counts lines and keeps the latest bytes;
// they are decoded, split and normalised (ANSI stripped, text after the last \r, tabs expanded)
// when a snapshot is taken, a few times a second at most.
export class OutputTail {
  private chunks: Buffer[] = [];
  private kept = 0;
  private dropped = false;
  private newlines = 0;
  private cached?: TailSnapshot;

  constructor(private readonly capacity = 200) {}

  push(output: string | Buffer): void {
    const chunk = typeof output === 'string' ? Buffer.from(output) : output;
    if (chunk.length === 0) return;
    for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, at + 1)) this.newlines++;
    this.chunks.push(chunk);
    this.kept += chunk.length;
    while (this.chunks.length > 1 && this.kept - this.chunks[0].length >= keepBytes) {
      this.kept -= this.chunks.shift()!.length;
      this.dropped = true;
    }
    this.cached = undefined;
  }

  // A tail kept elsewhere (by the process worker) becomes this one; later output adds to it.
  adopt(tail: TailSnapshot): void {
    const text = tail.lines.length ? `${tail.lines.join('\n')}\n` : '';
    this.chunks = text ? [Buffer.from(text)] : [];
    this.kept = this.chunks[0]?.length ?? 0;
    this.newlines = tail.total;
    this.dropped = tail.total > tail.lines.length;
    this.cached = tail;
  }

  // The same object until more output arrives.
  snapshot(): TailSnapshot {
    if (this.cached) return this.cached;
    const bytes = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = bytes.length ? [bytes] : [];
    const parts = bytes.toString('utf8').split('\n');
    // Output cut off at the front starts mid-line.
    if (this.dropped && parts.length > 1) parts.shift();
    const partial = parts.pop() ?? '';
    if (partial) parts.push(partial);
    const lines = parts.slice(-this.capacity).map((line) => normaliseLine(line).slice(-longestLine));
    this.cached = { lines, total: this.newlines + (partial ? 1 : 0) };
    return this.cached;
  }
}

export function normaliseLine(line: string): string {
  const afterCr = line.endsWith('\r') ? line.slice(0, -1) : line;
  const visible = afterCr.slice(afterCr.lastIndexOf('\r') + 1);
  return stripAnsi(visible).replace(/\t/g, '  ');
}
