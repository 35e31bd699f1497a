import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { runbookTimeout } from './run-journal.js';

it('says that stepwise demo seeds an empty embedded database before any step runs', async () => {
  const stateDir = tempStateDir('rb-unseeded-');
  const runbook = 'runbooks/generic-task-model/runbook.yaml';
  const run = await runCli(['run', runbook, '--yes', '--plain'], { stateDir });
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toContain('connection app is the embedded database');
  expect(run.stderr).toContain(`and it is empty: nothing ran. Seed it with its demo data first: stepwise demo --runbook ${runbook}`);
  expect(run.all).not.toContain('relation');
  expect(existsSync(join(stateDir, 'runs'))).toBe(false);
}, runbookTimeout);

it('refuses a demo soak length that is not a duration, before it seeds anything', async () => {
  const stateDir = tempStateDir('rb-demo-soak-');
  const demo = await runCli(['demo', '--soak', '10', '--yes', '--plain'], { stateDir });
  expect(demo.exitCode).toBe(2);
  expect(demo.stderr).toContain('--soak 10: must be a duration such as 10s, 5m or 24h');
  expect(existsSync(join(stateDir, 'pglite'))).toBe(false);
});
