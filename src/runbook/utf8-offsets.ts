// libpg-query reports byte offsets into the UTF-8 encoding; JavaScript strings index UTF-16 units.

export function byteOffsetToIndex(text: string): (byteOffset: number) => number {
  if (Buffer.byteLength(text) === text.length) return (offset) => offset;
  const indexAtByte: number[] = [];
  let index = 0;
  for (const char of text) {
    const bytes = Buffer.byteLength(char);
    for (let b = 0; b < bytes; b++) indexAtByte.push(index);
    index += char.length;
  }
  indexAtByte.push(index);
  return (offset) => indexAtByte[Math.min(Math.max(offset, 0), indexAtByte.length - 1)];
}

// The parser's error cursor counts characters (code points), not UTF-16 units.
export function codePointToIndex(text: string, codePoint: number): number {
  let index = 0;
  let count = 0;
  for (const char of text) {
    if (count === codePoint) return index;
    index += char.length;
    count++;
  }
  return index;
}
