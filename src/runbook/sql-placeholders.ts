import { type SqlParam, SqlParamScanner } from './scan-sql-params.js';
import { findTemplates, replaceTemplates, type TemplateMatch } from './template-refs.js';

export type { SqlParam };

// Templates replaced by a quoted identifier of the same length, so the scanner accepts the text
// and every offset still points into the original.
function placeholderName(m: TemplateMatch): string {
  return 'x'.repeat(Math.max(m.end - m.start - 2, 1));
}

function withTemplatesAsIdentifiers(sql: string): string {
  return replaceTemplates(sql, (m) => `"${placeholderName(m)}"`);
}

// A message about SQL the parser read names the templates as written, not as their placeholders.
export function templatesAsWritten(sql: string, message: string): string {
  return findTemplates(sql).reduce(
    (out, m) => out.replace(new RegExp(`\\b${placeholderName(m)}\\b`, 'g'), sql.slice(m.start, m.end)),
    message,
  );
}

// The parameters of each SQL text scanned so far: the loader, the previews and the renderer ask
// about the same texts again and again. Texts come from the runbook and its sql files, so the
// map stays small.
const scanned = new Map<string, readonly SqlParam[]>();

// `:name` bind parameters: never inside strings, comments, quoted identifiers, dollar-quoted
// bodies or `::` casts (scan-sql-params.ts). Templates count as quoted identifiers.
export function findSqlParams(sql: string): SqlParam[] {
  let params = scanned.get(sql);
  if (params === undefined) {
    params = scanParams(sql);
    scanned.set(sql, params);
  }
  return params.map((p) => ({ ...p }));
}

function scanParams(sql: string): SqlParam[] {
  return new SqlParamScanner(withTemplatesAsIdentifiers(sql)).scan();
}

// The SQL as the parser can read it: templates become identifiers and `:name` becomes `$1`,
// each padded to its original length so parser locations map back to the runbook text.
export function maskForParser(sql: string): string {
  let masked = withTemplatesAsIdentifiers(sql);
  for (const param of findSqlParams(sql).reverse()) {
    const width = param.end - param.start;
    masked = `${masked.slice(0, param.start)}$1${' '.repeat(width - 2)}${masked.slice(param.end)}`;
  }
  return masked;
}
