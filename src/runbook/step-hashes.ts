import { createHash } from 'node:crypto';
import type { Runbook, SqlBody, Step } from './schema.js';

// JSON with keys sorted, so a reformatted or reordered YAML mapping hashes the same.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function fileOf(body: SqlBody | undefined): string | undefined {
  return body && typeof body === 'object' ? body.file : undefined;
}

// The sql files a step runs, forward and back.
export function sqlFilesOf(step: Step): string[] {
  return [fileOf(step.sql), fileOf(step.rollback?.sql)].filter((file) => file !== undefined);
}

// sha256 of each step's definition plus the content of the sql files it runs, for drift.
export function computeStepHashes(runbook: Runbook, files: Record<string, string>): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const phase of runbook.phases) {
    for (const step of phase.steps) {
      const hash = createHash('sha256').update(canonical(step));
      for (const file of sqlFilesOf(step)) hash.update(`\0${file}\0${files[file] ?? ''}`);
      hashes[step.id] = hash.digest('hex');
    }
  }
  return hashes;
}
