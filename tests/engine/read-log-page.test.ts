import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LogPosition, readLogPage } from '../../src/engine/read-log-page.js';

function read(path: string, position: LogPosition, count: number) {
  const page = readLogPage(path, position, count);
  if (!page) throw new Error(`${path} could not be read`);
  return page;
}

function logOf(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'stepwise-log-page-')), 'step.1.log');
  writeFileSync(path, text);
  return path;
}

// 20,000 lines of differing widths, as a busy step leaves.
const lines = Array.from({ length: 20_000 }, (_, i) => `row ${i + 1} ${'x'.repeat(i % 37)}`);
const big = logOf(`${lines.join('\n')}\n`);

describe('reading a page of a step log', () => {
  it('reads the last lines, then pages back to the first and forward to the last again', () => {
    const last = read(big, {}, 30);
    expect(last.lines).toEqual(lines.slice(-30));
    expect(last.end).toBe(last.size);
    let page = last;
    let pagesBack = 0;
    while (page.starts[0] > 0) {
      page = read(big, { before: page.starts[0] }, 30);
      pagesBack++;
    }
    expect(pagesBack).toBe(Math.ceil((20_000 - 30) / 30));
    expect(page.lines[0]).toBe('row 1 ');
    let seen = page.lines.length;
    while (page.end < page.size) {
      page = read(big, { from: page.end }, 30);
      seen += page.lines.length;
    }
    expect(seen).toBe(20_000);
    expect(page.lines.at(-1)).toBe(lines.at(-1));
  });

  it('starts a page at any line it was given the offset of', () => {
    const page = read(big, {}, 5);
    const from = read(big, { from: page.starts[2] }, 2);
    expect(from.lines).toEqual(page.lines.slice(2, 4));
    expect(from.starts).toEqual(page.starts.slice(2, 4));
  });

  it('shows a line still being written, colours stripped and progress redrawn', () => {
    const path = logOf('done\n\x1b[31mred\x1b[0m\n10%\r50%');
    expect(read(path, {}, 10).lines).toEqual(['done', 'red', '50%']);
  });

  it('shows the reachable end of a line longer than a page may read', () => {
    const path = logOf(`start\n${'y'.repeat(3 * 1024 * 1024)}\nend\n`);
    const page = read(path, {}, 3);
    expect(page.lines.at(-1)).toBe('end');
    expect(page.lines[0]).toMatch(/^y+$/);
  });

  it('reads a log that is gone as nothing', () => {
    expect(readLogPage(join(tmpdir(), 'stepwise-no-such-dir', 'step.1.log'), {}, 10)).toBeUndefined();
  });

  it('reads an empty log as an empty page', () => {
    expect(read(logOf(''), {}, 10)).toEqual({ lines: [], starts: [], end: 0, size: 0 });
  });
});
