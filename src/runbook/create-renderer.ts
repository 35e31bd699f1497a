import { quote } from 'shell-quote';
import { StepwiseError } from '../errors/stepwise-error.js';
import { quoteIdent } from './quote-ident.js';
import { maskSecrets } from './mask-secrets.js';
import type { Renderer } from './render.js';
import { findSqlParams } from './sql-placeholders.js';
import { replaceTemplates, type TemplateMatch } from './template-refs.js';

export type VarValue = string | number | boolean;

export interface RendererInput {
  vars: Record<string, VarValue>;
  secretVars: string[];
  connections: Record<string, { url?: string }>;
  run: { id: string; operator: string };
}

// Passwords inside connection URLs, as written and percent-decoded.
function urlPasswords(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const password = new URL(url).password;
    if (!password) return [];
    return [password, decodeURIComponent(password)];
  } catch {
    return [];
  }
}

export function createRenderer(input: RendererInput): Renderer {
  const secretNames = new Set(input.secretVars);
  const secrets = [
    ...input.secretVars
      .map((name) => (Object.hasOwn(input.vars, name) ? input.vars[name] : undefined))
      .filter((v) => v !== undefined)
      .map(String),
    ...Object.values(input.connections).flatMap((c) => urlPasswords(c.url)),
  ]
    .filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length);
  const mask = (text: string): string => maskSecrets(text, secrets);

  // Names are looked up as own keys only: a variable named `constructor` or `toString` is a value,
  // and an undeclared one is not Object.prototype's.
  const own = (name: string): VarValue | undefined => (Object.hasOwn(input.vars, name) ? input.vars[name] : undefined);

  function varValue(name: string): VarValue {
    const value = own(name);
    if (value === undefined)
      throw new StepwiseError(`variable ${name} has no value; give it with --var ${name}=…`);
    return value;
  }

  // The plain value of a template outside SQL.
  function textValue(match: TemplateMatch): string {
    const ref = match.ref;
    if (!ref)
      throw new StepwiseError(`unknown template {{ ${match.expr} }}; run \`stepwise lint\` on the runbook`);
    if (ref.kind === 'run') return input.run[ref.field];
    if (ref.kind === 'conn') {
      const url = Object.hasOwn(input.connections, ref.name) ? input.connections[ref.name].url : undefined;
      if (url === undefined) {
        throw new StepwiseError(
          `{{ conn.${ref.name}.url }} has no value: connection ${ref.name} has no url (set its environment variable)`,
        );
      }
      return url;
    }
    if (ref.ident)
      throw new StepwiseError(`{{ ${match.expr} }} is only for SQL; use {{ vars.${ref.name} }} here`);
    return String(varValue(ref.name));
  }

  function sql(text: string, extra: Record<string, unknown> = {}): { text: string; params: unknown[] } {
    const withNames = replaceTemplates(text, (match) => {
      if (match.ref?.kind === 'var' && match.ref.ident) return quoteIdent(String(varValue(match.ref.name)));
      throw new StepwiseError(
        `{{ ${match.expr} }} cannot be pasted into SQL; bind a :name parameter (or use {{ ident vars.x }} for a name)`,
      );
    });
    const numbers = new Map<string, number>();
    const params: unknown[] = [];
    let out = '';
    let last = 0;
    for (const param of findSqlParams(withNames)) {
      let n = numbers.get(param.name);
      if (n === undefined) {
        const value = Object.hasOwn(extra, param.name) ? extra[param.name] : own(param.name);
        if (value === undefined) {
          throw new StepwiseError(
            `SQL parameter :${param.name} has no value; declare it under vars: in the runbook`,
          );
        }
        params.push(value);
        n = params.length;
        numbers.set(param.name, n);
      }
      out += `${withNames.slice(last, param.start)}$${n}`;
      last = param.end;
    }
    return { text: out + withNames.slice(last), params };
  }

  return {
    text: (template) => replaceTemplates(template, textValue),
    shell: (template) => replaceTemplates(template, (match) => quote([textValue(match)])),
    sql,
    mask,
    secrets,
    maskedVars: () =>
      Object.fromEntries(
        Object.entries(input.vars).map(([name, value]) => [
          name,
          secretNames.has(name) ? '***' : String(value),
        ]),
      ),
  };
}
