import { sqlKeywords } from './sql-keywords.js';

export interface SqlParam {
  name: string;
  // String indices of `:name` in the SQL text.
  start: number;
  end: number;
}

// What the token before a `:` was: after a word, a number, `]` or `)` the colon is an array
// slice (`a[lo:hi]`), not a parameter. Keywords, strings, operators and the rest are `other`.
type Kind = 'word' | 'number' | 'close' | 'other';

const paramName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const dollarTag = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c >= '\u0080';
}

function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '$';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

// `:name` bind parameters, read the way PostgreSQL's lexer reads SQL: never inside strings
// ('…', E'…' with backslash escapes, B/X/N/U& forms), comments (-- and nested /* */), quoted
// identifiers, dollar-quoted bodies or `::` casts. Unterminated text ends the scan; the parser
// reports it. Tested against the parser's own scanner (tests/runbook/scan-sql-params.test.ts).
export class SqlParamScanner {
  private i = 0;
  private prevKind: Kind = 'other';
  private prevEnd = -1;
  readonly params: SqlParam[] = [];

  constructor(private readonly sql: string) {}

  scan(): SqlParam[] {
    const s = this.sql;
    // Past the last colon there is no parameter left to find.
    const last = s.lastIndexOf(':');
    while (this.i <= last) {
      const c = s[this.i];
      const next = s[this.i + 1];
      if (isSpace(c)) this.i++;
      else if (c === '-' && next === '-') this.lineComment();
      else if (c === '/' && next === '*') this.blockComment();
      else if (c === "'") this.token('other', this.quoted(this.i, "'", false));
      else if (c === '"') this.token('word', this.quoted(this.i, '"', false));
      else if (c === '$') this.dollar();
      else if (c === ':') this.colon();
      else if (isDigit(c) || (c === '.' && isDigit(next))) this.token('number', this.number());
      else if (isIdentStart(c)) this.word();
      else this.token(c === ']' || c === ')' ? 'close' : 'other', this.i + 1);
    }
    return this.params;
  }

  private token(kind: Kind, end: number) {
    this.prevKind = kind;
    this.prevEnd = end;
    this.i = end;
  }

  private lineComment() {
    while (this.i < this.sql.length && this.sql[this.i] !== '\n' && this.sql[this.i] !== '\r') this.i++;
  }

  private blockComment() {
    const s = this.sql;
    let depth = 0;
    while (this.i < s.length) {
      if (s[this.i] === '/' && s[this.i + 1] === '*') {
        depth++;
        this.i += 2;
      } else if (s[this.i] === '*' && s[this.i + 1] === '/') {
        depth--;
        this.i += 2;
        if (depth === 0) return;
      } else this.i++;
    }
  }

  // The end of a quoted string or identifier opened at `start`; a doubled quote is one quote,
  // and in an E'…' string a backslash escapes the next character.
  private quoted(start: number, quote: string, backslash: boolean): number {
    const s = this.sql;
    let j = start + 1;
    while (j < s.length) {
      if (backslash && s[j] === '\\') j += 2;
      else if (s[j] !== quote) j++;
      else if (s[j + 1] === quote) j += 2;
      else return j + 1;
    }
    return s.length;
  }

  private dollar() {
    const s = this.sql;
    if (isDigit(s[this.i + 1])) {
      let j = this.i + 1;
      while (isDigit(s[j])) j++;
      this.token('other', j);
      return;
    }
    dollarTag.lastIndex = this.i;
    const tag = dollarTag.exec(s)?.[0];
    if (tag === undefined) {
      this.token('other', this.i + 1);
      return;
    }
    const close = s.indexOf(tag, this.i + tag.length);
    this.token('other', close < 0 ? s.length : close + tag.length);
  }

  // 12, 1.5, .5, 1e-3, 1_000, 0x1F, 0o17, 0b101. Trailing junk (`1abc`) is the parser's to
  // refuse: it is taken into the number here.
  private number(): number {
    const s = this.sql;
    let j = this.i;
    const digits = (pattern: RegExp) => {
      while (j < s.length && pattern.test(s[j])) j++;
    };
    if (s[j] === '0' && 'xXoObB'.includes(s[j + 1] ?? '-')) {
      j += 2;
      digits(/[0-9A-Fa-f_]/);
    } else {
      digits(/[0-9_]/);
      if (s[j] === '.' && s[j + 1] !== '.') {
        j++;
        digits(/[0-9_]/);
      }
      const sign = s[j + 1] === '+' || s[j + 1] === '-' ? 1 : 0;
      if ((s[j] === 'e' || s[j] === 'E') && isDigit(s[j + 1 + sign])) {
        j += 1 + sign;
        digits(/[0-9_]/);
      }
    }
    while (j < s.length && isIdentChar(s[j]) && s[j] !== '$') j++;
    return j;
  }

  // A word, or a string with a one-letter prefix (E'…', B'…', X'…', N'…', U&'…', U&"…").
  private word() {
    const s = this.sql;
    const c = s[this.i].toLowerCase();
    const next = s[this.i + 1];
    if (next === "'" && 'ebxn'.includes(c)) {
      this.token('other', this.quoted(this.i + 1, "'", c === 'e'));
      return;
    }
    if (c === 'u' && next === '&' && (s[this.i + 2] === "'" || s[this.i + 2] === '"')) {
      // A U&"…" identifier is not a plain identifier to the parser: the colon after it is a parameter.
      this.token('other', this.quoted(this.i + 2, s[this.i + 2], false));
      return;
    }
    let j = this.i + 1;
    while (j < s.length && isIdentChar(s[j])) j++;
    const keyword = sqlKeywords.has(s.slice(this.i, j).toLowerCase());
    this.token(keyword ? 'other' : 'word', j);
  }

  private colon() {
    const s = this.sql;
    const start = this.i;
    const next = s[start + 1];
    if (next === ':' || next === '=') {
      this.token('other', start + 2);
      return;
    }
    const slice = this.prevEnd === start && this.prevKind !== 'other';
    this.token('other', start + 1);
    if (slice || next === undefined || !isIdentStart(next)) return;
    // The word right after the colon, as the lexer would cut it (a string prefix is no name).
    const after = s[start + 2];
    const unicode = (next === 'u' || next === 'U') && after === '&' && (s[start + 3] === "'" || s[start + 3] === '"');
    // Not N'…': the lexer returns the N alone (as NCHAR), then the string.
    if ((after === "'" && 'ebxEBX'.includes(next)) || unicode) return;
    let j = start + 2;
    while (j < s.length && isIdentChar(s[j])) j++;
    const name = s.slice(start + 1, j);
    if (paramName.test(name)) this.params.push({ name, start, end: j });
  }
}
