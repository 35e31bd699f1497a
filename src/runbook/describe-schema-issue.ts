import type { z } from 'zod';
import { describeLocation, subject, valueAt } from './describe-location.js';
import { duration } from './schema.js';
import type { YamlPath } from './yaml-locator.js';

// A schema problem in the operator's words, and which YAML node it is about.
export interface SchemaProblem {
  path: YamlPath;
  part: 'value' | 'key';
  message: string;
}

type Issue = z.core.$ZodIssue;

const durationMessage = 'must be a duration such as 500ms, 30s, 10m or 1h';
type Schema = z.core.$ZodType;

const typeNames: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  null: 'empty',
};

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function def(schema: Schema): z.core.$ZodTypeDef & Record<string, unknown> {
  return schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
}

function unwrap(schema: Schema): Schema {
  let s = schema;
  while (['optional', 'nullable', 'default', 'readonly'].includes(def(s).type))
    s = def(s).innerType as Schema;
  return s;
}

function shapeKeys(schema: Schema): string[] | undefined {
  const s = unwrap(schema);
  return def(s).type === 'object' ? Object.keys(def(s).shape as object) : undefined;
}

// The union option that fits a value best: same kind of value, most of its keys known.
function pickOption(options: Schema[], value: unknown): Schema | undefined {
  let best: Schema | undefined;
  let bestScore = -1;
  for (const option of options) {
    const type = def(unwrap(option)).type;
    const fits = Array.isArray(value)
      ? type === 'array'
      : value && typeof value === 'object'
        ? type === 'object' || type === 'record'
        : type !== 'object' && type !== 'array';
    if (!fits) continue;
    const keys = shapeKeys(option);
    const score =
      keys && value && typeof value === 'object'
        ? Object.keys(value).filter((k) => keys.includes(k)).length
        : 0;
    if (score > bestScore) {
      best = option;
      bestScore = score;
    }
  }
  return best;
}

// The schema of the node at `path` (relative to `schema`, whose value is `value`).
function schemaAt(schema: Schema, path: YamlPath, value: unknown): Schema | undefined {
  let s: Schema | undefined = schema;
  let v = value;
  for (let i = 0; i <= path.length && s; i++) {
    s = unwrap(s);
    const d = def(s);
    if (d.type === 'union') {
      s = pickOption(d.options as Schema[], v);
      i--;
      continue;
    }
    if (i === path.length) break;
    const segment = path[i];
    if (d.type === 'object') s = (d.shape as Record<string, Schema>)[segment];
    else if (d.type === 'array') s = d.element as Schema;
    else if (d.type === 'record') s = d.valueType as Schema;
    else s = undefined;
    v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[segment] : undefined;
  }
  return s;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function unknownKeyMessage(key: string, allowed: string[] | undefined): string {
  if (!allowed) return `unknown field "${key}"; remove it`;
  const close = allowed
    .map((name) => ({ name, distance: editDistance(key.toLowerCase(), name) }))
    .filter((c) => c.distance <= Math.max(1, Math.floor(c.name.length / 3)))
    .sort((x, y) => x.distance - y.distance)[0];
  if (close) return `unknown field "${key}"; did you mean "${close.name}"?`;
  return `unknown field "${key}"; allowed fields are ${allowed.join(', ')}`;
}

// Issues of a union option that only say "the value is not of this type" at its root.
function isTypeMismatch(issues: Issue[]): boolean {
  return issues.some(
    (i) =>
      i.path.length === 0 &&
      (i.code === 'invalid_type' ||
        (i.code === 'invalid_union' && i.errors.every((branch) => isTypeMismatch(branch)))),
  );
}

function expectedTypes(issues: Issue[]): string[] {
  return issues.flatMap((i) => {
    if (i.path.length !== 0) return [];
    if (i.code === 'invalid_type') return [typeNames[i.expected] ?? i.expected];
    if (i.code === 'invalid_union') return i.errors.flatMap(expectedTypes);
    return [];
  });
}

function weight(issues: Issue[]): number {
  return issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 1), 0);
}

function joinOr(items: string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1 ? (unique[0] ?? '') : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

function isRecordKey(path: YamlPath): boolean {
  return path.length === 2 && (path[0] === 'vars' || path[0] === 'connections');
}

class IssueDescriber {
  constructor(
    private readonly root: Schema,
    private readonly input: unknown,
  ) {}

  private missing(path: YamlPath): SchemaProblem {
    const key = String(path.at(-1));
    const parent = subject(describeLocation(this.input, path.slice(0, -1)));
    const fix = path.length === 1 && key === 'version' ? 'add version: 1 at the top' : 'add it';
    return { path, part: 'value', message: `${parent} is missing "${key}"; ${fix}` };
  }

  private isDuration(path: YamlPath): boolean {
    const schema = schemaAt(this.root, path, this.input);
    return schema !== undefined && unwrap(schema) === duration;
  }

  describe(issue: Issue, base: YamlPath = []): SchemaProblem[] {
    const path = [...base, ...(issue.path as YamlPath)];
    const value = valueAt(this.input, path);
    const location = describeLocation(this.input, path);
    const about = subject(location);
    const one = (message: string): SchemaProblem => ({ path, part: 'value', message });
    switch (issue.code) {
      case 'invalid_union': {
        const matching = issue.errors.filter((branch) => !isTypeMismatch(branch));
        if (matching.length > 0) {
          const best = matching.reduce((a, b) => (weight(b) < weight(a) ? b : a));
          return best.flatMap((inner) => this.describe(inner, path));
        }
        const expected = joinOr(issue.errors.flatMap(expectedTypes));
        return [
          { path, part: 'value', message: `${about} must be ${expected} (got ${describeValue(value)})` },
        ];
      }
      case 'unrecognized_keys': {
        const allowed = shapeKeys(schemaAt(this.root, path, this.input) ?? this.root);
        return issue.keys.map((key) => ({
          path: [...path, key],
          part: 'key' as const,
          message: `${location.where}: ${location.field ? `${location.field}: ` : ''}${unknownKeyMessage(key, allowed)}`,
        }));
      }
      case 'invalid_key': {
        const kind = path[0] === 'vars' ? 'variable' : 'connection';
        const rule =
          kind === 'variable'
            ? 'letters, digits and _, starting with a letter or _'
            : 'letters, digits, _ and -, starting with a letter or _';
        const name = String(path.at(-1));
        const message = isRecordKey(path)
          ? `${kind} name "${name}" is not allowed; use ${rule}`
          : `${about}: key "${name}" is not allowed`;
        return [{ path, part: 'key', message }];
      }
      case 'invalid_type': {
        if (value === undefined && path.length > 0) return [this.missing(path)];
        if (path.length === 0)
          return [one('the runbook must be a YAML mapping with version, name and phases')];
        if (this.isDuration(path)) return [one(`${about} ${durationMessage} (got ${describeValue(value)})`)];
        return [
          one(
            `${about} must be ${typeNames[issue.expected] ?? issue.expected} (got ${describeValue(value)})`,
          ),
        ];
      }
      case 'invalid_value': {
        if (value === undefined) return [this.missing(path)];
        const allowed = joinOr(issue.values.map((v) => JSON.stringify(v)));
        const hint =
          path.length === 1 && path[0] === 'version' ? '; this stepwise reads runbook format version 1' : '';
        return [one(`${about} must be ${allowed} (got ${describeValue(value)})${hint}`)];
      }
      case 'invalid_format':
        return [one(`${about} ${issue.message} (got ${describeValue(value)})`)];
      case 'too_small':
      case 'too_big': {
        const small = issue.code === 'too_small';
        if (small && issue.origin === 'array' && Array.isArray(value) && value.length === 0) {
          const field = String(path.at(-1));
          return [
            one(`${about} is empty; add at least one ${field.endsWith('s') ? field.slice(0, -1) : 'item'}`),
          ];
        }
        if (small && issue.origin === 'string' && Number(issue.minimum) === 1)
          return [one(`${about} must not be empty`)];
        const bound = small ? issue.minimum : issue.maximum;
        const direction = small ? 'at least' : 'at most';
        const unit = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
        const verb = unit ? 'must have' : 'must be';
        return [one(`${about} ${verb} ${direction} ${bound}${unit} (got ${describeValue(value)})`)];
      }
      default:
        return [{ path, part: 'value', message: `${about}: ${issue.message}` }];
    }
  }
}

export function describeSchemaIssues(issues: Issue[], input: unknown, schema: Schema): SchemaProblem[] {
  const describer = new IssueDescriber(schema, input);
  return issues.flatMap((issue) => describer.describe(issue));
}
