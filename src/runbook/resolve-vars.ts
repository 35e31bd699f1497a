import { StepwiseError } from '../errors/stepwise-error.js';
import type { VarValue } from './create-renderer.js';
import type { Runbook, Variable } from './schema.js';

export interface ResolvedVars {
  values: Record<string, VarValue>;
  secretVars: string[];
  // Variables with a `prompt:` and no value yet: the TUI or the CLI asks for them.
  missing: Array<{ name: string; prompt?: string; secret: boolean }>;
}

// A value from --var or the environment takes the type of the default (5000, not "5000").
function typed(name: string, raw: string, def: Variable, source: string): VarValue {
  if (typeof def.default === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) {
      throw new StepwiseError(
        `variable ${name} must be a number (default ${def.default}); ${source} gave "${raw}"`,
      );
    }
    return n;
  }
  if (typeof def.default === 'boolean') {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw new StepwiseError(`variable ${name} must be true or false; ${source} gave "${raw}"`);
  }
  return raw;
}

// Precedence: --var, then the variable's `env:`, then its default.
export function resolveVars(
  runbook: Runbook,
  options: { cli: Record<string, string>; env: NodeJS.ProcessEnv },
): ResolvedVars {
  const declared = runbook.vars ?? {};
  const unknown = Object.keys(options.cli).filter((name) => !Object.hasOwn(declared, name));
  if (unknown.length > 0) {
    const known = Object.keys(declared);
    throw new StepwiseError(
      `--var ${unknown.join(', ')}: not declared in the runbook` +
        (known.length ? ` (its vars are ${known.join(', ')})` : ' (it declares no vars)'),
      'usage',
    );
  }
  const values: Record<string, VarValue> = {};
  const missing: ResolvedVars['missing'] = [];
  const unset: string[] = [];
  for (const [name, def] of Object.entries(declared)) {
    // Own keys only: `constructor` is a variable name like any other.
    const fromCli = Object.hasOwn(options.cli, name) ? options.cli[name] : undefined;
    const fromEnv = def.env && Object.hasOwn(options.env, def.env) ? options.env[def.env] : undefined;
    if (fromCli !== undefined) values[name] = typed(name, fromCli, def, `--var ${name}`);
    else if (fromEnv !== undefined && fromEnv !== '') values[name] = typed(name, fromEnv, def, `$${def.env}`);
    else if (def.default !== undefined) values[name] = def.default;
    else if (def.prompt !== undefined)
      missing.push({ name, prompt: def.prompt, secret: def.secret === true });
    else unset.push(def.env ? `--var ${name}=… (or set ${def.env})` : `--var ${name}=…`);
  }
  if (unset.length > 0) {
    throw new StepwiseError(`missing variable value: give ${unset.join(', ')}`, 'usage');
  }
  const secretVars = Object.entries(declared)
    .filter(([, def]) => def.secret === true)
    .map(([name]) => name);
  return { values, secretVars, missing };
}
