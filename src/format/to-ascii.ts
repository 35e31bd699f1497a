const replacements: Record<string, string> = {
  '…': '...',
  '—': '--',
  '–': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '·': '.',
  '•': '*',
  '→': '->',
  '←': '<-',
  '≥': '>=',
  '≤': '<=',
  '≠': '!=',
  '×': 'x',
  '✔': '+',
  '✖': 'x',
};

// For a terminal whose locale is not UTF-8: common punctuation spelled out, anything else `?`
// (such a terminal would show `_` and misalign the columns).
export function toAscii(text: string): string {
  return text.replace(/[^\x00-\x7f]/gu, (ch) => replacements[ch] ?? '?');
}
