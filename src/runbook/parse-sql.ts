import type { Node } from 'libpg-query';
import { hasSqlDetails, parseSync } from './pg-parser.js';
import { maskForParser } from './sql-placeholders.js';
import { byteOffsetToIndex, codePointToIndex } from './utf8-offsets.js';

export interface ParsedStatement {
  stmt: Node;
  // String index of the statement's first token in the original SQL text.
  start: number;
}

export type ParseOutcome =
  | { ok: true; statements: ParsedStatement[] }
  | { ok: false; message: string; index: number };

// A compare `where:` is an expression, parsed inside a SELECT.
const wherePrefix = 'SELECT 1 WHERE (';

function failure(error: unknown, text: string, shift: number): ParseOutcome {
  if (hasSqlDetails(error)) {
    const index = codePointToIndex(text, error.sqlDetails?.cursorPosition ?? 0) - shift;
    return { ok: false, message: error.message, index: Math.max(0, index) };
  }
  return { ok: false, message: error instanceof Error ? error.message : String(error), index: 0 };
}

// SQL (with `:name` and `{{ ident … }}` still in it) parsed by PostgreSQL's own parser.
export function parseSql(sql: string, form: 'statements' | 'where' = 'statements'): ParseOutcome {
  const masked = maskForParser(sql);
  const text = form === 'where' ? `${wherePrefix}${masked})` : masked;
  const shift = form === 'where' ? wherePrefix.length : 0;
  try {
    const toIndex = byteOffsetToIndex(text);
    const statements = (parseSync(text).stmts ?? []).map((raw) => ({
      stmt: raw.stmt as Node,
      start: Math.max(0, toIndex(raw.stmt_location ?? 0) - shift),
    }));
    return { ok: true, statements };
  } catch (error) {
    return failure(error, text, shift);
  }
}
