import type { CheckInput } from './check-input.js';
import { templateProblem } from './check-references.js';
import { describeLocation } from './describe-location.js';
import type { Diagnostic } from './loaded-runbook.js';
import type { parseSql } from './parse-sql.js';
import type { ParsedSqlCache, SqlForm } from './parsed-sql-cache.js';
import { listSqlSites, type SqlSite } from './runbook-bodies.js';
import { findSqlParams } from './sql-placeholders.js';
import { findTemplates } from './template-refs.js';

// How the SQL is checked: PostgreSQL's parser (loaded by the caller, only when needed) and the
// texts it accepted before, which it need not see again.
export interface SqlSyntax {
  parse?: typeof parseSql;
  parsed?: ParsedSqlCache;
}

export function formOf(site: SqlSite): SqlForm {
  return site.role === 'compare-where' ? 'where' : 'statements';
}

// SQL that PostgreSQL's parser refuses, or that holds no statement.
function syntaxProblem(input: CheckInput, site: SqlSite, text: string, syntax: SqlSyntax): Diagnostic | undefined {
  const form = formOf(site);
  if (syntax.parsed?.has(text, form)) return undefined;
  if (!syntax.parse) throw new Error('checkSql: SQL not parsed before and no parser given');
  const parsed = syntax.parse(text, form);
  const where = describeLocation(input.runbook, site.path).where;
  if (!parsed.ok) {
    const message = `${where}: SQL does not parse: ${parsed.message}; fix the SQL`;
    return input.inSql(site, parsed.index, message, 'sql-syntax');
  }
  if (site.role !== 'compare-where' && parsed.statements.length === 0) {
    return input.inSql(site, 0, `${where}: the SQL is empty; write a statement`, 'sql-syntax');
  }
  syntax.parsed?.add(text, form);
  return undefined;
}

// Checks one piece of SQL: templates (for files; inline ones are checked with every string),
// syntax, and that every `:name` is a declared variable (`:lo`/`:hi` in a backfill).
function checkSite(input: CheckInput, site: SqlSite, syntax: SqlSyntax): Diagnostic[] {
  const text = input.textOf(site);
  if (text === undefined) return [];
  // Named only in a message: finding it walks the runbook.
  const whereOf = () => describeLocation(input.runbook, site.path).where;
  // Inline templates were reported with every other string of the runbook; file ones are here.
  const badTemplates = findTemplates(text).flatMap((match) => {
    const problem = templateProblem(input, match, true);
    return problem ? [input.inSql(site, match.start, `${whereOf()}: ${problem}`, 'template')] : [];
  });
  if (badTemplates.length > 0) return site.file !== undefined ? badTemplates : [];

  const syntaxError = syntaxProblem(input, site, text, syntax);
  if (syntaxError) return [syntaxError];

  const declared = Object.keys(input.runbook.vars ?? {});
  const params = findSqlParams(text);
  const out: Diagnostic[] = [];
  const bounds = site.role === 'backfill' ? ['lo', 'hi'] : [];
  for (const param of params) {
    if (declared.includes(param.name) || bounds.includes(param.name)) continue;
    const hint = declared.length ? ` (declared: ${declared.join(', ')})` : '';
    const message = `${whereOf()}: :${param.name} is not a declared variable; declare it under vars: or fix the name${hint}`;
    out.push(input.inSql(site, param.start, message, 'sql-param'));
  }
  const missing = bounds.filter((b) => !params.some((p) => p.name === b));
  if (missing.length > 0) {
    const message =
      `${whereOf()}: backfill sql must use both :lo and :hi (WHERE key > :lo AND key <= :hi); ` +
      `${missing.map((m) => `:${m}`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`;
    out.push(input.inSql(site, 0, message, 'backfill-bounds'));
  }
  return out;
}

export function checkSql(input: CheckInput, syntax: SqlSyntax): Diagnostic[] {
  return listSqlSites(input.bodies).flatMap((site) => checkSite(input, site, syntax));
}

// Whether every SQL text of the runbook parsed before: then the parser need not be loaded.
export function allParsedBefore(input: CheckInput, parsed: ParsedSqlCache | undefined): boolean {
  if (!parsed) return false;
  return listSqlSites(input.bodies).every((site) => {
    const text = input.textOf(site);
    return text === undefined || parsed.has(text, formOf(site));
  });
}

// Syntax only: for the steps of a runbook that failed its schema, so one pass reports both.
export function checkSqlSyntax(input: CheckInput, syntax: SqlSyntax): Diagnostic[] {
  return listSqlSites(input.bodies).flatMap((site) => {
    const text = input.textOf(site);
    return text === undefined ? [] : (syntaxProblem(input, site, text, syntax) ?? []);
  });
}
