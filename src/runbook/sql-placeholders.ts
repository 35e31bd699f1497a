import { loadModule, parseSync, type ScanToken, scanSync } from 'libpg-query';
import { findTemplates, replaceTemplates, type TemplateMatch } from './template-refs.js';
import { byteOffsetToIndex } from './utf8-offsets.js';

// The parser is WebAssembly: loaded once here so every caller can use the synchronous API.
await loadModule();

export interface SqlParam {
  name: string;
  // String indices of `:name` in the SQL text.
  start: number;
  end: number;
}

const identifierText = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A ':' right after one of these is an array slice (a[i:j]), not a parameter.
const sliceLeft = new Set(['IDENT', 'ICONST', 'FCONST']);

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

interface Scanned {
  tokens: ScanToken[];
  toIndex: (byteOffset: number) => number;
}

function scan(text: string): Scanned {
  try {
    return { tokens: scanSync(text).tokens, toIndex: byteOffsetToIndex(text) };
  } catch (error) {
    // The scanner's own error is unreadable (e.g. on an unterminated string); the parser
    // reports the same problem with a message and a position.
    parseSync(text);
    throw error;
  }
}

// The parameters of each SQL text scanned so far: the loader, the previews and the renderer ask
// about the same texts again and again, and every scan is a round trip into the WebAssembly
// parser. Texts come from the runbook and its sql files, so the map stays small.
const scanned = new Map<string, readonly SqlParam[]>();

// `:name` bind parameters, found with PostgreSQL's own scanner: never inside strings, comments,
// quoted identifiers, dollar-quoted bodies or `::` casts. Throws the scanner's SqlError.
export function findSqlParams(sql: string): SqlParam[] {
  let params = scanned.get(sql);
  if (params === undefined) {
    params = scanParams(sql);
    scanned.set(sql, params);
  }
  return params.map((p) => ({ ...p }));
}

function scanParams(sql: string): SqlParam[] {
  const masked = withTemplatesAsIdentifiers(sql);
  const { tokens, toIndex } = scan(masked);
  const params: SqlParam[] = [];
  for (let i = 0; i < tokens.length - 1; i++) {
    const colon = tokens[i];
    const next = tokens[i + 1];
    if (colon.text !== ':' || next.start !== colon.end || !identifierText.test(next.text)) continue;
    const previous = tokens[i - 1];
    const adjacent = previous && previous.end === colon.start;
    if (adjacent && (sliceLeft.has(previous.tokenName) || previous.text === ']' || previous.text === ')'))
      continue;
    params.push({ name: next.text, start: toIndex(colon.start), end: toIndex(next.end) });
  }
  return params;
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
