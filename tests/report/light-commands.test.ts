import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cliPath, tempStateDir } from '../helpers/run-cli.js';
import { writePlanRunbook } from '../bench/plan-runbook.js';
import { recordRun } from '../journal/recorded-run.js';

const hook = resolve(import.meta.dirname, '..', 'helpers', 'module-log-hook.mjs');
const runbooks = resolve(import.meta.dirname, '..', '..', 'runbooks');

// The ES modules a command loaded (packages by name), from a real child process and the engine
// process it starts (NODE_OPTIONS reaches both).
async function loadedBy(args: string[], stateDir: string): Promise<string[] & { stdout: string }> {
  const log = join(stateDir, 'modules.log');
  writeFileSync(log, '');
  const child = await execa('node', [cliPath, ...args, '--state-dir', stateDir], {
    env: { STEPWISE_MODULE_LOG: log, NODE_OPTIONS: `--import=${hook}`, CI: undefined, DATABASE_URL: undefined },
    reject: false,
  });
  expect(child.exitCode, child.stderr).toBe(0);
  return Object.assign(readFileSync(log, 'utf8').split('\n'), { stdout: child.stdout });
}

function packages(urls: string[]): string[] {
  return [...new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1] ?? []))];
}

describe('read-only commands load only what they use', () => {
  it('status of a run loads neither PGlite, the SQL parser, the YAML parsers nor Ink', async () => {
    const stateDir = tempStateDir('stepwise-light-');
    recordRun(stateDir);
    const urls = await loadedBy(['status'], stateDir);
    const loaded = packages(urls);
    for (const heavy of ['@electric-sql/pglite', 'libpg-query', 'yaml', 'js-yaml', 'ink', 'react', 'drizzle-orm'])
      expect(loaded).not.toContain(heavy);
    // node:v8 sets the flags of WebAssembly, which it does not load either.
    expect(urls).not.toContain('node:v8');
  });

  it('plan of a runbook with an embedded database loads neither PGlite nor Ink, and yaml only for a message', async () => {
    const stateDir = tempStateDir('stepwise-light-');
    const loaded = packages(await loadedBy(['plan', join(runbooks, 'queue-migration', 'runbook.yaml')], stateDir));
    expect(loaded).toContain('libpg-query');
    for (const heavy of ['@electric-sql/pglite', 'yaml', 'ink', 'react', 'drizzle-orm']) expect(loaded).not.toContain(heavy);
  });

  it('plan of a runbook planned before checks its SQL without loading the parser', async () => {
    const stateDir = tempStateDir('stepwise-light-');
    const runbook = join(runbooks, 'queue-migration', 'runbook.yaml');
    const first = await loadedBy(['plan', runbook], stateDir);
    expect(first.some((url) => url.includes('/libpg-query/wasm/'))).toBe(true);
    const again = await loadedBy(['plan', runbook], stateDir);
    expect(again.filter((url) => url.includes('/libpg-query/') && !url.endsWith('/package.json'))).toEqual([]);
  });

  it('plan of a runbook planned before, unchanged, shows the same without loading zod or js-yaml: it is not validated again', async () => {
    const stateDir = tempStateDir('stepwise-light-');
    const runbook = writePlanRunbook(stateDir, 2, 10);
    const first = await loadedBy(['plan', runbook], stateDir);
    expect(packages(first)).toEqual(expect.arrayContaining(['zod', 'js-yaml']));
    const again = await loadedBy(['plan', runbook], stateDir);
    const code = again.filter((url) => !url.endsWith('/package.json'));
    for (const validator of ['zod', 'js-yaml', 'libpg-query']) expect(packages(code)).not.toContain(validator);
    // node:v8 sets the flags of WebAssembly, which it does not load either.
    expect(again).not.toContain('node:v8');
    expect(again.stdout).toBe(first.stdout);
  });

  it('plan of a runbook whose Markdown has **bold** and * bullets reads it without yaml', async () => {
    const stateDir = tempStateDir('stepwise-light-');
    const runbook = writePlanRunbook(stateDir, 1, 10);
    expect(readFileSync(runbook, 'utf8')).toMatch(/ \*\*items_1_5\*\* /);
    const loaded = packages(await loadedBy(['plan', runbook], stateDir));
    expect(loaded).toContain('js-yaml');
    expect(loaded).not.toContain('yaml');
  });

  it('a headless run (its client and its engine) loads a database driver only for a connection of its kind, and semver and diff only when asked', async () => {
    const stateDir = tempStateDir('stepwise-light-');
    const runbook = join(stateDir, 'shell-only.yaml');
    writeFileSync(runbook, 'version: 1\nname: shell-only\nphases:\n  - id: main\n    steps:\n      - id: hello\n        run: [echo, hello]\n');
    const loaded = packages(await loadedBy(['run', runbook, '--plain'], stateDir));
    expect(loaded).toContain('execa');
    for (const unused of ['postgres', '@electric-sql/pglite', 'drizzle-orm', 'semver', 'diff', 'ink'])
      expect(loaded).not.toContain(unused);
  });
});
