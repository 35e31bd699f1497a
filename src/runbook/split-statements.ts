import { StepwiseError } from '../errors/stepwise-error.js';
import { parseSync } from './pg-parser.js';
import { maskForParser } from './sql-placeholders.js';
import { byteOffsetToIndex } from './utf8-offsets.js';

interface StatementSpan {
  start: number;
  end: number;
}

// Where each statement of a SQL text starts and ends (string indices), by PostgreSQL's parser,
// so `$$` bodies, strings and comments holding `;` never split a statement.
function statementSpans(sql: string): StatementSpan[] {
  const masked = maskForParser(sql);
  const toIndex = byteOffsetToIndex(masked);
  const stmts = parseSync(masked).stmts ?? [];
  return stmts.map((s) => {
    const location = s.stmt_location ?? 0;
    return { start: toIndex(location), end: s.stmt_len ? toIndex(location + s.stmt_len) : sql.length };
  });
}

// The statements of a SQL text, each without its `;`, with `:name` and `{{ ident }}` kept for
// the renderer. The SQL executor runs them one by one, with bound parameters, in one transaction.
export function splitStatements(sql: string): string[] {
  let spans: StatementSpan[];
  try {
    spans = statementSpans(sql);
  } catch (error) {
    throw new StepwiseError(
      `the SQL does not parse: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return spans.map((s) => sql.slice(s.start, s.end).trim()).filter((s) => s.length > 0);
}
