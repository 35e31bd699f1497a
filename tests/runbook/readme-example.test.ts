import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintRunbook } from '../../src/runbook/lint-runbook.js';
import { writeRunbook } from './write-runbook.js';

describe('the format reference', () => {
  it('opens with an example runbook that loads and lints clean', async () => {
    const readme = readFileSync('runbooks/README.md', 'utf8');
    const example = /## A small runbook\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const { loaded, diagnostics } = await lintRunbook(writeRunbook(example!), {
      env: { DATABASE_URL: 'postgres://app@db/app' },
    });
    expect(diagnostics).toEqual([]);
    expect(loaded?.runbook.name).toBe('add-task-priority');
  });
});
