import type { Key } from 'ink';

const none: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

// Ink hands over plain characters read together (fast typing, key repeat, tmux send-keys, a
// paste) as one input: "kkk", "abc\r". Each becomes its own key, so `k` pressed three times
// moves three rows and a pasted newline is an enter.
export function splitTypedKeys(input: string, key: Key): Array<[string, Key]> {
  const chars = Array.from(input);
  if (chars.length <= 1 || key.ctrl || key.meta) return [[input, key]];
  return chars.map((ch): [string, Key] => {
    if (ch === '\r' || ch === '\n') return ['', { ...none, return: true }];
    if (ch === '\t') return ['', { ...none, tab: true }];
    if (ch === '\u007F' || ch === '\b') return ['', { ...none, backspace: true }];
    return [ch, { ...none, shift: /[A-Z]/.test(ch) }];
  });
}
