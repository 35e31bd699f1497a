import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Diagnostic, LoadedRunbook } from './loaded-runbook.js';
import type { ParsedSqlCache } from './parsed-sql-cache.js';
import { readFailure } from './read-failure.js';
import { RunbookInvalidError } from './runbook-invalid-error.js';
import type { Runbook } from './schema.js';
import { computeStepHashes } from './step-hashes.js';
import type { ValidatedRunbookCache } from './validated-runbook-cache.js';
import { YamlLocator } from './yaml-locator.js';

// A runbook is a checklist; a larger file is a mistake (or an attack on lint's time and memory).
const maxRunbookBytes = 1_000_000;

function fileError(path: string, message: string): Diagnostic {
  return { file: path, line: 1, col: 1, message, severity: 'error', rule: 'file' };
}

function stepPositions(runbook: Runbook, locator: YamlLocator): LoadedRunbook['positions'] {
  const positions: LoadedRunbook['positions'] = {};
  runbook.phases.forEach((phase, p) => {
    phase.steps.forEach((step, s) => {
      positions[step.id] ??= locator.position(['phases', p, 'steps', s]);
    });
  });
  return positions;
}

// Loads a runbook and validates it (validate-runbook.ts: YAML, the zod schema, the checks); any
// error throws RunbookInvalidError listing every problem found. `parsedSql`: SQL texts known to
// parse, so the parser need not be loaded; texts that parse now are added to it. `validated`:
// runbooks that passed before; one unchanged since is taken from it without loading the
// validator, and one that passes now is added to it.
export async function loadRunbook(
  path: string,
  options: { parsedSql?: ParsedSqlCache; validated?: ValidatedRunbookCache } = {},
): Promise<LoadedRunbook> {
  const absolute = resolve(path);
  let source: string;
  try {
    source = await readFile(absolute, 'utf8');
  } catch (e) {
    throw new RunbookInvalidError([fileError(path, `cannot read the runbook (${readFailure(e)}); check the path`)]);
  }
  if (source.length > maxRunbookBytes) {
    const message = `the runbook is ${(source.length / 1_000_000).toFixed(1)} MB, more than the ${maxRunbookBytes / 1_000_000} MB a runbook may be; keep long SQL in files (sql: { file: … })`;
    throw new RunbookInvalidError([fileError(path, message)]);
  }
  const sha256 = createHash('sha256').update(source).digest('hex');
  let valid: { runbook: Runbook; files: Record<string, string>; locator?: YamlLocator } | undefined =
    options.validated?.find(absolute, sha256);
  if (!valid) {
    const { validateRunbook } = await import('./validate-runbook.js');
    valid = await validateRunbook(path, absolute, source, options.parsedSql);
    await options.validated?.save(absolute, sha256, valid.runbook, valid.files);
  }
  const { runbook, files } = valid;
  let locator = valid.locator;
  let stepHashes: LoadedRunbook['stepHashes'] | undefined;
  let positions: LoadedRunbook['positions'] | undefined;
  return {
    path: absolute,
    dir: dirname(absolute),
    source,
    sha256,
    runbook,
    files,
    // Hashing every step is asked for only by what compares runs: drift, the forecast.
    get stepHashes() {
      stepHashes ??= computeStepHashes(runbook, files);
      return stepHashes;
    },
    // Asked for only when a step fails with a message naming its line.
    get positions() {
      locator ??= new YamlLocator(source);
      positions ??= stepPositions(runbook, locator);
      return positions;
    },
  };
}
