import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintRunbook } from '../../src/runbook/lint-runbook.js';

const examples = readdirSync('runbooks', { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => `runbooks/${d.name}/runbook.yaml`);

describe('the example runbooks', () => {
  it('are all here', () => {
    expect(examples.sort()).toEqual([
      'runbooks/generic-task-model/runbook.yaml',
      'runbooks/queue-migration/runbook.yaml',
      'runbooks/task-tracking/runbook.yaml',
      'runbooks/v3-consolidation/runbook.yaml',
    ]);
  });

  it.each(examples)('%s lints clean when a server is configured', async (path) => {
    const { diagnostics } = await lintRunbook(path, {
      env: { DATABASE_URL: 'postgres://app@db.internal:5432/app' },
    });
    expect(diagnostics).toEqual([]);
  });

  it.each(examples)('%s only warns that it will use the embedded database when none is', async (path) => {
    const { diagnostics } = await lintRunbook(path, { env: {} });
    expect(diagnostics.map((d) => `${d.severity} ${d.rule}`)).toEqual(['warning env-unset']);
  });
});
