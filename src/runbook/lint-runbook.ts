import { CheckInput } from './check-input.js';
import { loadRunbook } from './load-runbook.js';
import type { Diagnostic, LoadedRunbook } from './loaded-runbook.js';
import { NotNullProofs } from './not-null-proofs.js';
import { parseSql } from './parse-sql.js';
import { listBodies, listSqlSites, type SqlSite } from './runbook-bodies.js';
import { RunbookInvalidError } from './runbook-invalid-error.js';
import { templatesAsWritten } from './sql-placeholders.js';
import type { SqlRuleName } from './sql-rule-names.js';
import { sqlSafetyWarnings } from './sql-safety-rules.js';
import { YamlLocator } from './yaml-locator.js';

function warning(d: Diagnostic): Diagnostic {
  return { ...d, severity: 'warning' };
}

// Environment variables the runbook reads that are not set in this shell.
function envWarnings(input: CheckInput, env: NodeJS.ProcessEnv): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, def] of Object.entries(input.runbook.vars ?? {})) {
    if (!def.env || env[def.env]) continue;
    const fallback =
      def.default !== undefined
        ? `it will use the default${def.secret ? '' : ` ${JSON.stringify(def.default)}`}`
        : def.prompt !== undefined
          ? 'it will be asked for at start'
          : `give --var ${name}=… or set ${def.env} before the run`;
    out.push(
      input.at(['vars', name, 'env'], `variable "${name}": $${def.env} is not set; ${fallback}`, 'env-unset'),
    );
  }
  for (const [name, def] of Object.entries(input.runbook.connections ?? {})) {
    if (!def.url || typeof def.url === 'string' || env[def.url.env]) continue;
    const fallback = def.embedded
      ? `the run will use the embedded PGlite database "${def.embedded}", not a server`
      : 'set it before the run';
    const message = `connection "${name}": $${def.url.env} is not set; ${fallback}`;
    out.push(input.at(['connections', name, 'url', 'env'], message, 'env-unset'));
  }
  return out.map(warning);
}

// The connection a site's SQL runs on: its own, or the runbook's first.
function connectionOf(input: CheckInput, site: SqlSite): string | undefined {
  return site.conn ?? Object.keys(input.runbook.connections ?? {})[0];
}

// A step's `lint: { allow, reason }`: one per rule, at the rule's name in the runbook.
export interface LintAllowance {
  file: string;
  line: number;
  col: number;
  step: string;
  rule: SqlRuleName;
  reason: string;
  // How many warnings it silenced in this lint.
  silenced: number;
}

function allowancesOf(input: CheckInput): LintAllowance[] {
  return input.runbook.phases.flatMap((phase, p) =>
    phase.steps.flatMap((step, s) =>
      (step.lint?.allow ?? []).map((rule, r) => ({
        file: input.file,
        ...input.locator.position(['phases', p, 'steps', s, 'lint', 'allow', r]),
        step: step.id,
        rule,
        reason: step.lint!.reason,
        silenced: 0,
      })),
    ),
  );
}

function sqlWarnings(input: CheckInput, allowances: LintAllowance[]): Diagnostic[] {
  const proofs = new NotNullProofs();
  return listSqlSites(input.bodies).flatMap((site) => {
    const text = input.textOf(site);
    if (text === undefined || site.role === 'compare-where') return [];
    const parsed = parseSql(text);
    if (!parsed.ok) return [];
    const conn = connectionOf(input, site);
    const warnings = sqlSafetyWarnings({
      site,
      statements: parsed.statements,
      production: conn !== undefined && input.runbook.connections?.[conn]?.production === true,
      conn,
      proofs,
    });
    const step = site.context.step?.id;
    return warnings.flatMap((w) => {
      const allowed = allowances.find((a) => a.step === step && a.rule === w.rule);
      if (allowed) {
        allowed.silenced++;
        return [];
      }
      return [warning(input.inSql(site, w.index, templatesAsWritten(text, w.message), w.rule))];
    });
  });
}

// The runbook's own lines first, then its sql files.
function byPosition(runbookFile: string) {
  return (a: Diagnostic, b: Diagnostic): number => {
    if (a.file !== b.file) {
      if (a.file === runbookFile || b.file === runbookFile) return a.file === runbookFile ? -1 : 1;
      return a.file < b.file ? -1 : 1;
    }
    return a.line - b.line || a.col - b.col;
  };
}

// Load errors, or the safety warnings of a runbook that loads.
export async function lintRunbook(
  path: string,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ loaded?: LoadedRunbook; diagnostics: Diagnostic[]; allowed: LintAllowance[] }> {
  let loaded: LoadedRunbook;
  try {
    loaded = await loadRunbook(path);
  } catch (error) {
    if (error instanceof RunbookInvalidError) return { diagnostics: error.diagnostics, allowed: [] };
    throw error;
  }
  const input = new CheckInput(
    loaded.runbook,
    YamlLocator.fromSource(loaded.source),
    path,
    loaded.files,
    listBodies(loaded.runbook),
  );
  const allowed = allowancesOf(input);
  const found = [...envWarnings(input, options.env ?? process.env), ...sqlWarnings(input, allowed)];
  // A sql file run by several steps (or rolled back by one) is reported once.
  const unique = [
    ...new Map(found.map((d) => [`${d.file}:${d.line}:${d.col}:${d.rule}:${d.message}`, d])).values(),
  ];
  return { loaded, diagnostics: unique.sort(byPosition(path)), allowed };
}
