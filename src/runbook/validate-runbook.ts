import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import type { Alias, Document, LineCounter } from 'yaml';
import { CheckInput } from './check-input.js';
import { checkReferences } from './check-references.js';
import { allParsedBefore, checkSql, checkSqlSyntax, type SqlSyntax } from './check-sql.js';
import { checkStructure } from './check-structure.js';
import { describeLocation, valueAt } from './describe-location.js';
import { describeSchemaIssues } from './describe-schema-issue.js';
import type { Diagnostic } from './loaded-runbook.js';
import type { ParsedSqlCache } from './parsed-sql-cache.js';
import { listBodies, listSqlSites } from './runbook-bodies.js';
import { readFailure } from './read-failure.js';
import { RunbookInvalidError } from './runbook-invalid-error.js';
import { type Runbook, runbook as runbookSchema, step as stepSchema } from './schema.js';
import { YamlLocator } from './yaml-locator.js';

function error(file: string, line: number, col: number, message: string, rule: string): Diagnostic {
  return { file, line, col, message, severity: 'error', rule };
}

// yaml (positions) is loaded only for a runbook js-yaml refused; see readYaml.
const require = createRequire(import.meta.url);

function parseYaml(file: string, source: string) {
  const { LineCounter, parseDocument } = require('yaml') as typeof import('yaml');
  const lineCounter = new LineCounter();
  // Keys are checked for duplicates below: yaml's uniqueKeys compares every pair of keys.
  const doc = parseDocument(source, { lineCounter, uniqueKeys: false, prettyErrors: false });
  // After a syntax error the rest of the parse is guesswork: report the first one only.
  if (doc.errors.length === 0) return { doc, lineCounter, diagnostics: duplicateKeys(file, source, doc, lineCounter) };
  const diagnostics = doc.errors.slice(0, 1).map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return error(
      file,
      line,
      col,
      `YAML syntax error: ${e.message.replace(/\s+/g, ' ').trim()}`,
      'yaml-syntax',
    );
  });
  return { doc, lineCounter, diagnostics };
}

// Aliases may repeat a value, not multiply it: a billion-laughs file stops here.
const maxAliasCount = 100;

// The document as plain data. An alias to no anchor, or aliases that expand past the cap, is an
// error at the alias.
function toPlainData(file: string, doc: Document, lineCounter: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount });
  } catch (e) {
    const { visit } = require('yaml') as typeof import('yaml');
    let at: Alias | undefined;
    let unresolved = false;
    visit(doc, {
      Alias(_, node) {
        if (node.resolve(doc) === undefined) {
          at = node;
          unresolved = true;
          return visit.BREAK;
        }
        at ??= node;
      },
    });
    const { line, col } = lineCounter.linePos(at?.range?.[0] ?? 0);
    const message = unresolved
      ? `YAML alias *${at!.source} refers to no anchor; define &${at!.source} before it`
      : `YAML aliases expand to more than ${maxAliasCount} copies (${e instanceof Error ? e.message : String(e)}); write the values out`;
    throw new RunbookInvalidError([error(file, line, col, message, 'yaml-syntax')]);
  }
}

// Something that may be an alias: `*name` where a node starts (a line's start, after `- `, `? `,
// `:`, `[`, `{` or `,`) and ending where a node ends. js-yaml shares an alias's value without
// limit, so such a runbook is read by \`yaml\`, which caps them. Markdown such as `**bold**`
// inside a sentence is not a node, so it keeps the fast reader.
const aliasLike = /(^[ \t]*|[?-][ \t]+|[[{,:][ \t]*)\*[^\s,[\]{}]+[ \t]*(?:$|[,\]}#]|:(?:[ \t]|$))/m;

// Every key written twice in one mapping, at the second one, in one pass over each mapping.
function duplicateKeys(file: string, source: string, doc: Document, lineCounter: LineCounter): Diagnostic[] {
  const { isScalar, visit } = require('yaml') as typeof import('yaml');
  const diagnostics: Diagnostic[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const at = (pair.key as { range?: [number, number] } | null)?.range?.[0] ?? 0;
        const { line, col } = lineCounter.linePos(at);
        const written = /^("[^"\n]*"|'[^'\n]*'|[^:\n]*?)\s*:/.exec(source.slice(at))?.[1] ?? String(key);
        const shown = written.startsWith('"') ? written : `"${written.replace(/^'|'$/g, '')}"`;
        diagnostics.push(error(file, line, col, `duplicate key ${shown}; a key may appear only once in a mapping`, 'yaml-duplicate-key'));
      }
    },
  });
  return diagnostics;
}

// The runbook's values, read by js-yaml (YAML 1.2 core schema, as \`yaml\` reads it) several times
// faster than \`yaml\`, which keeps positions: it parses only when a message needs a position,
// to say what is wrong with YAML js-yaml refused, or when the runbook has aliases.
function readYaml(file: string, source: string): { input: unknown; locator: YamlLocator } {
  if (!aliasLike.test(source)) {
    try {
      return { input: loadYaml(source, { schema: CORE_SCHEMA }) ?? null, locator: new YamlLocator(source) };
    } catch {
      // Read again below, for the message and its position.
    }
  }
  const { doc, lineCounter, diagnostics } = parseYaml(file, source);
  if (diagnostics.length > 0) throw new RunbookInvalidError(diagnostics);
  return { input: toPlainData(file, doc, lineCounter), locator: new YamlLocator(source, { doc, lineCounter }) };
}

// Reads every referenced sql file once, so nothing reads files while a run is under way.
async function readSqlFiles(checks: CheckInput, dir: string): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const tried = new Set<string>();
  for (const site of listSqlSites(checks.bodies)) {
    const name = site.file;
    if (name === undefined || tried.has(name)) continue;
    tried.add(name);
    try {
      checks.files[name] = await readFile(resolve(dir, name), 'utf8');
    } catch (e) {
      const message =
        `${describeLocation(checks.runbook, site.path).where}: sql file "${name}" cannot be read (${readFailure(e)}: ${checks.sqlFilePath(name)}); ` +
        'paths are relative to the runbook';
      diagnostics.push(checks.at(site.path, message, 'sql-file'));
    }
  }
  return diagnostics;
}

// A runbook that failed its schema, cut down to what still checks: each phase with the steps
// that pass the step schema (the others keep only their id), so SQL errors come in the same pass.
function validStepsOf(input: unknown): Runbook {
  const phases = valueAt(input, ['phases']);
  return {
    phases: (Array.isArray(phases) ? phases : []).map((rawPhase: unknown) => {
      const steps = valueAt(rawPhase, ['steps']);
      return {
        id: String(valueAt(rawPhase, ['id']) ?? ''),
        steps: (Array.isArray(steps) ? steps : []).map((raw: unknown) => {
          const parsed = stepSchema.safeParse(raw, { jitless: true });
          return parsed.success ? parsed.data : { id: String(valueAt(raw, ['id']) ?? '') };
        }),
      };
    }),
  } as Runbook;
}

async function sqlOfValidSteps(input: unknown, locator: YamlLocator, path: string, dir: string): Promise<Diagnostic[]> {
  const partial = validStepsOf(input);
  const checks = new CheckInput(partial, locator, path, {}, listBodies(partial));
  const fileErrors = await readSqlFiles(checks, dir);
  return [...fileErrors, ...checkSqlSyntax(checks, await sqlSyntax(checks, undefined))];
}

// PostgreSQL's parser is loaded only when some SQL did not parse before (ParsedSqlCache).
async function sqlSyntax(checks: CheckInput, parsed: ParsedSqlCache | undefined): Promise<SqlSyntax> {
  if (allParsedBefore(checks, parsed)) return { parsed };
  return { parse: (await import('./parse-sql.js')).parseSql, parsed };
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1;
}

export interface ValidRunbook {
  runbook: Runbook;
  // Content of every referenced sql file, keyed by its path as written.
  files: Record<string, string>;
  locator: YamlLocator;
}

// Validates a runbook's source: YAML with positions, the zod schema, then the checks the schema
// cannot express. Any error throws RunbookInvalidError listing every problem found. `path` is the
// runbook as the operator named it (for messages), `absolute` where it is. `parsedSql`: SQL
// texts known to parse, so the parser need not be loaded; texts that parse now are added to it.
export async function validateRunbook(
  path: string,
  absolute: string,
  source: string,
  parsedSql: ParsedSqlCache | undefined,
): Promise<ValidRunbook> {
  const { input, locator } = readYaml(path, source);
  // One parse per process: zod's generated fast path (new Function per object schema) costs
  // more to build than it saves on a single runbook.
  const parsed = runbookSchema.safeParse(input, { jitless: true });
  const dir = dirname(absolute);
  if (!parsed.success) {
    const problems = describeSchemaIssues(parsed.error.issues, input, runbookSchema);
    const diagnostics = problems.map((p) => {
      const { line, col } = locator.position(p.path, p.part);
      return error(path, line, col, p.message, 'schema');
    });
    const sql = await sqlOfValidSteps(input, locator, path, dir);
    throw new RunbookInvalidError([...diagnostics, ...sql].sort(byPosition));
  }
  const runbook = parsed.data;
  const bodies = listBodies(runbook);
  const files: Record<string, string> = {};
  const checks = new CheckInput(runbook, locator, path, files, bodies);
  // Two kinds in a step or both text and file in a body would leave the later checks guessing.
  const structure = checkStructure(checks);
  if (structure.length > 0) throw new RunbookInvalidError(structure.sort(byPosition));
  const fileErrors = await readSqlFiles(checks, dir);
  const syntax = await sqlSyntax(checks, parsedSql);
  const diagnostics = [...fileErrors, ...checkReferences(checks), ...checkSql(checks, syntax)];
  if (diagnostics.length > 0) throw new RunbookInvalidError(diagnostics.sort(byPosition));
  return { runbook, files, locator };
}
