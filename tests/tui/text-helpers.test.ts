import { describe, expect, it } from 'vitest';
import { markdownToText } from '../../src/format/markdown-to-text.js';
import { splitTypedKeys } from '../../src/tui/split-typed-keys.js';
import { fitLine, plainText, seg } from '../../src/tui/styled-line.js';
import { toAscii } from '../../src/format/to-ascii.js';
import { wrapText } from '../../src/format/wrap-text.js';

describe('fitting text', () => {
  it('cuts a line at its width with an ellipsis, wide characters counted as two columns', () => {
    const line = [seg('2.3 '), seg('数据迁移 of the tasks', { bold: true })];
    expect(plainText(fitLine(line, 12, { ascii: false }))).toBe('2.3 数据迁…');
    expect(plainText(fitLine(line, 12, { ascii: true }))).toBe('2.3 ???? ...');
    expect(plainText(fitLine(line, 40, { ascii: false }))).toBe('2.3 数据迁移 of the tasks');
  });

  it('shows control characters as ? so output cannot move the cursor', () => {
    expect(plainText(fitLine([seg('a\u0007b\u001B[2Jc')], 20, { ascii: false }))).toBe('a?b?[2Jc');
  });

  it('spells common punctuation out in ASCII', () => {
    expect(toAscii('a — b … “c” ≥ 1 → ✔ 数')).toBe('a -- b ... "c" >= 1 -> + ?');
  });

  it('joins Markdown soft line breaks and keeps lists', () => {
    const text = markdownToText('**Stop** the scheduler\nand wait.\n\n- first\n- second\n  continued');
    expect(text).toBe('Stop the scheduler and wait.\n\n- first\n- second continued');
  });

  it('wraps keeping a line’s indentation', () => {
    expect(wrapText('  one two three four', 10)).toEqual(['  one two', '  three', '  four']);
  });
});

describe('typed keys', () => {
  const plain = { ctrl: false, meta: false } as Parameters<typeof splitTypedKeys>[1];

  it('splits characters read together into keys, a newline into enter', () => {
    const keys = splitTypedKeys('jk\r', plain);
    expect(keys.map(([input, key]) => [input, key.return])).toEqual([
      ['j', false],
      ['k', false],
      ['', true],
    ]);
  });

  it('leaves single keys and control keys alone', () => {
    expect(splitTypedKeys('j', plain)).toHaveLength(1);
    expect(splitTypedKeys('c', { ...plain, ctrl: true })).toEqual([['c', { ...plain, ctrl: true }]]);
  });
});

describe('wrapping lists', () => {
  it('hangs a list item’s wrapped text under its first word', () => {
    expect(wrapText('  - scale the scheduler to 0', 16)).toEqual([
      '  - scale the',
      '    scheduler to',
      '    0',
    ]);
  });
});
