import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

describe('runbooks/runbook.schema.json', () => {
  it('is up to date with the zod schema (npm run schema:check)', async () => {
    const result = await execa('node', ['--import', 'tsx', 'src/runbook/write-json-schema.ts', '--check'], {
      reject: false,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  }, 30_000);

  it('is a draft-07 schema with titles and descriptions an editor can show', () => {
    const schema = JSON.parse(readFileSync('runbooks/runbook.schema.json', 'utf8'));
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toMatch(/stepwise runbook/);
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'name', 'phases']));
    expect(schema.properties.name.description).toMatch(/run ids/);
  });
});
