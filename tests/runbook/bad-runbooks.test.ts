import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import { RunbookInvalidError } from '../../src/runbook/runbook-invalid-error.js';

const corpus = 'tests/fixtures/bad';
const expected: Record<string, string> = JSON.parse(readFileSync(join(corpus, 'expected.json'), 'utf8'));
const files = readdirSync(corpus).filter((f) => f.endsWith('.yaml'));

async function loadError(file: string): Promise<RunbookInvalidError> {
  try {
    await loadRunbook(join(corpus, file));
  } catch (error) {
    if (error instanceof RunbookInvalidError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

describe('the bad-input corpus', () => {
  it('has at least 30 malformed runbooks, each with its expected line', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual([...files].sort());
  });

  it.each(files)('%s is refused with one clear file:line:col message', async (file) => {
    const error = await loadError(file);
    expect(error.diagnostics).toHaveLength(1);
    expect(error.message).toBe(expected[file]);
    expect(error.kind).toBe('usage');
  });
});

// One process per file is slow (tsx start-up): the real CLI runs on a few representative ones.
describe('stepwise lint on malformed runbooks', () => {
  const sample = ['yaml-syntax.yaml', 'two-kinds.yaml', 'var-pasted-into-sql.yaml', 'empty-file.yaml'];

  it.each(sample)(
    '%s: exit 2, the error on one line, no stack trace',
    async (file) => {
      const result = await execa('node', ['--import', 'tsx', 'src/cli/main.ts', 'lint', join(corpus, file)], {
        reject: false,
        env: { NO_COLOR: '1' },
      });
      expect(result.exitCode).toBe(2);
      const [location, message] = [
        expected[file].split(': ')[0],
        expected[file].slice(expected[file].indexOf(': ') + 2),
      ];
      expect(result.stdout).toBe(`${location}: error: ${message} [${ruleOf(result.stdout)}]`);
      expect(result.stderr).toMatch(/^1 runbook checked: 1 error, 0 warnings \(failed\)\n?$/);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at |Error:|node:internal/);
    },
    30_000,
  );
});

function ruleOf(line: string): string {
  return /\[([a-z-]+)\]$/.exec(line)?.[1] ?? 'missing rule';
}
