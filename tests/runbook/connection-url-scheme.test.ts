import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempStateDir } from '../helpers/run-cli.js';

const runbook = `version: 1
name: url-scheme
connections:
  db: { url: { env: DATABASE_URL }, embedded: fallback }
phases:
  - id: main
    steps:
      - id: one
        sql: CREATE TABLE scheme_rows (id int)
`;

describe('a connection URL that is not PostgreSQL', () => {
  it('is refused by plan and run (exit 2) before anything connects or is journaled', async () => {
    const stateDir = tempStateDir();
    const path = join(stateDir, 'scheme.yaml');
    writeFileSync(path, runbook);
    for (const [url, scheme] of [
      ['postgress://app:hunter2@db/app', 'postgress'],
      ['mysql://app@db/app', 'mysql'],
    ]) {
      for (const command of ['plan', 'run']) {
        const result = await runCli([command, path, '--plain'].slice(0, command === 'plan' ? 2 : 3), {
          stateDir,
          env: { DATABASE_URL: url },
        });
        expect(result.exitCode, result.all).toBe(2);
        expect(result.stderr).toContain(
          `connection db: ${scheme}:// is not PostgreSQL: a connection URL starts with postgres:// or postgresql://; check DATABASE_URL`,
        );
        expect(result.all).not.toContain('hunter2');
      }
    }
    expect(existsSync(join(stateDir, 'runs'))).toBe(false);
    expect(existsSync(join(stateDir, 'pglite', 'fallback'))).toBe(false);
  });
});
