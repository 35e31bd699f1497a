import stripAnsi from 'strip-ansi';

// A bounded tail of a step's output for the screen: the full output goes to the log file.
// Lines are normalised (ANSI stripped, text after the last \r, tabs expanded) when they complete.
export class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';
  total = 0;

  constructor(private readonly capacity = 200) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.total += parts.length;
    // Only the last `capacity` complete lines of a chunk can survive: skip normalising the rest.
    const start = Math.max(0, parts.length - this.capacity);
    for (let i = start; i < parts.length; i++) this.lines.push(normaliseLine(parts[i]));
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    if (this.partial.length > 4096) this.partial = this.partial.slice(-4096);
  }

  snapshot(): { lines: string[]; total: number } {
    const lines = this.partial ? [...this.lines, normaliseLine(this.partial)] : this.lines.slice();
    return { lines: lines.slice(-this.capacity), total: this.total + (this.partial ? 1 : 0) };
  }
}

export function normaliseLine(line: string): string {
  const afterCr = line.endsWith('\r') ? line.slice(0, -1) : line;
  const visible = afterCr.slice(afterCr.lastIndexOf('\r') + 1);
  return stripAnsi(visible).replace(/\t/g, '  ');
}
