import type { YamlPath } from './yaml-locator.js';

export interface Location {
  // Who the message is about: `step "copy"`, `phase "cutover"`, `connection "app"`, `runbook`.
  where: string;
  // The field inside it, e.g. `backfill.sql` or `retries.attempts` (empty for the thing itself).
  field: string;
}

export function valueAt(value: unknown, path: YamlPath): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function formatField(path: YamlPath): string {
  return path.reduce<string>((out, segment) => {
    if (typeof segment === 'number') return `${out}[${segment}]`;
    return out ? `${out}.${segment}` : String(segment);
  }, '');
}

function idOf(value: unknown): string | undefined {
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

function phaseName(runbook: unknown, p: number): string {
  const id = idOf(valueAt(runbook, ['phases', p]));
  return id ? `phase "${id}"` : `phase ${p + 1}`;
}

// Names the part of the runbook a path points into, as the operator knows it.
export function describeLocation(runbook: unknown, path: YamlPath): Location {
  const [top, a, b, c] = path;
  if (top === 'phases' && typeof a === 'number') {
    if (b === 'steps' && typeof c === 'number') {
      const id = idOf(valueAt(runbook, path.slice(0, 4)));
      const where = id ? `step "${id}"` : `step ${c + 1} of ${phaseName(runbook, a)}`;
      return { where, field: formatField(path.slice(4)) };
    }
    return { where: phaseName(runbook, a), field: formatField(path.slice(2)) };
  }
  if ((top === 'vars' || top === 'connections') && typeof a === 'string') {
    return {
      where: `${top === 'vars' ? 'variable' : 'connection'} "${a}"`,
      field: formatField(path.slice(2)),
    };
  }
  return { where: 'runbook', field: formatField(path) };
}

// `step "copy": timeout` or `runbook: name`, the subject of a sentence about a field.
export function subject(location: Location): string {
  return location.field ? `${location.where}: ${location.field}` : location.where;
}
