import type { CheckInput } from './check-input.js';
import { describeLocation, subject } from './describe-location.js';
import type { Diagnostic } from './loaded-runbook.js';
import { listConnUses, listSqlSites } from './runbook-bodies.js';
import { findTemplates, type TemplateMatch } from './template-refs.js';
import type { YamlPath } from './yaml-locator.js';

function names(record: Record<string, unknown> | undefined): string[] {
  return Object.keys(record ?? {});
}

function checkConnections(input: CheckInput): Diagnostic[] {
  const declared = names(input.runbook.connections);
  const out: Diagnostic[] = [];
  let reportedNone = false;
  for (const use of listConnUses(input.bodies)) {
    const about = describeLocation(input.runbook, use.path);
    if (declared.length === 0) {
      if (reportedNone) continue;
      reportedNone = true;
      const message = `${subject(about)} needs a database connection but the runbook declares none; add connections:`;
      out.push(input.at(use.path, message, 'connection'));
    } else if (use.name === undefined && declared.length > 1) {
      const message = `${subject(about)} has no conn; the runbook has several connections, name one of ${declared.join(', ')}`;
      out.push(input.at(use.path, message, 'connection'));
    } else if (use.name !== undefined && !declared.includes(use.name)) {
      const message = `${about.where}: connection "${use.name}" is not declared; use one of ${declared.join(', ')}`;
      out.push(input.at(use.path, message, 'connection'));
    }
  }
  return out;
}

const allowedForms = '{{ vars.NAME }}, {{ conn.NAME.url }}, {{ run.id }} or {{ run.operator }}';

// What is wrong with one template, or undefined when it is fine where it stands.
export function templateProblem(input: CheckInput, match: TemplateMatch, inSql: boolean): string | undefined {
  const ref = match.ref;
  const vars = names(input.runbook.vars);
  const conns = names(input.runbook.connections);
  const shown = `{{ ${match.expr} }}`;
  if (!ref)
    return `unknown template ${shown}; use ${allowedForms}${inSql ? ' (in SQL: {{ ident vars.NAME }})' : ''}`;
  if (ref.kind === 'var' && !vars.includes(ref.name)) {
    return `${shown} names no declared variable; declare "${ref.name}" under vars:${vars.length ? ` (declared: ${vars.join(', ')})` : ''}`;
  }
  if (ref.kind === 'conn' && !conns.includes(ref.name)) {
    return `${shown} names no declared connection${conns.length ? `; use one of ${conns.join(', ')}` : '; add it under connections:'}`;
  }
  if (inSql && ref.kind === 'var' && !ref.ident) {
    return `${shown} pastes a value into SQL; bind it as :${ref.name} instead (only {{ ident vars.NAME }} may appear in SQL)`;
  }
  if (inSql && ref.kind !== 'var') {
    return `${shown} pastes a value into SQL; declare a variable and bind it as :name (only {{ ident vars.NAME }} may appear in SQL)`;
  }
  if (!inSql && ref.kind === 'var' && ref.ident)
    return `${shown} is only for SQL; use {{ vars.${ref.name} }} here`;
  return undefined;
}

// Whether `index` of a shell command sits inside '…' or "…": a quoted value put there would
// close the quotes around it and the rest of it would run as shell code.
function insideShellQuotes(command: string, index: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < index; i++) {
    const c = command[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') {
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    }
  }
  return quote !== undefined;
}

function walkStrings(value: unknown, path: YamlPath, visit: (text: string, path: YamlPath) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walkStrings(item, [...path, i], visit);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walkStrings(item, [...path, key], visit);
  }
}

// Templates in the runbook itself; those in sql files are checked with the rest of their SQL.
function checkTemplates(input: CheckInput): Diagnostic[] {
  const sqlPaths = new Set(
    listSqlSites(input.bodies)
      .filter((site) => site.text !== undefined)
      .map((site) => JSON.stringify(site.path)),
  );
  const shellPaths = new Set(
    input.bodies.flatMap((site) =>
      site.kind === 'run' && !Array.isArray(site.body) && site.body.shell !== undefined
        ? [JSON.stringify([...site.path, 'shell'])]
        : [],
    ),
  );
  const out: Diagnostic[] = [];
  walkStrings(input.runbook, [], (text, path) => {
    const inSql = sqlPaths.has(JSON.stringify(path));
    const inShell = shellPaths.has(JSON.stringify(path));
    for (const match of findTemplates(text)) {
      const quoted = inShell && insideShellQuotes(text, match.start);
      const problem =
        templateProblem(input, match, inSql) ??
        (quoted
          ? `{{ ${match.expr} }} is inside quotes in a shell command; remove the quotes around it (values are shell-quoted for you)`
          : undefined);
      if (!problem) continue;
      const where = describeLocation(input.runbook, path).where;
      out.push(input.inScalar(path, match.start, `${where}: ${problem}`, 'template'));
    }
  });
  return out;
}

export function checkReferences(input: CheckInput): Diagnostic[] {
  return [...checkConnections(input), ...checkTemplates(input)];
}
