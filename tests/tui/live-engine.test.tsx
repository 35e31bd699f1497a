import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenedRun, startRun } from '../../src/engine/open-run.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { keys, renderApp } from './render-app.js';

// The screen on a real engine: keys typed right after an intent, faster than the engine's
// coalesced store updates, act on what the intent did.

let opened: OpenedRun | undefined;

afterEach(async () => {
  cleanup();
  await opened?.close();
  opened = undefined;
});

async function start(runbook: string): Promise<{ run: OpenedRun; stateDir: string }> {
  const stateDir = tempStateDir('stepwise-live-');
  const path = join(stateDir, 'runbook.yaml');
  writeFileSync(path, runbook);
  opened = await startRun(path, { stateDir, vars: {}, env: {}, operator: 'alice@bastion' });
  return { run: opened, stateDir };
}

describe('keys right after an intent', () => {
  it('a pressed at once after signing off a gate runs the rest of the next phase', async () => {
    const { run } = await start(`version: 1
name: gate-then-phase
phases:
  - id: prepare
    title: Prepare
    steps:
      - { id: look, title: Look around, run: [echo, looked] }
    gate: { signoff: true }
  - id: work
    title: Work
    steps:
      - { id: first, title: First command, run: [echo, first] }
      - { id: second, title: Second command, run: [echo, second] }
`);
    await run.engine.runStep('look');
    const app = await renderApp(run.engine, { columns: 80, rows: 24 });
    await app.waitForText('next: s signs off the gate');
    await app.press('s');
    await app.waitForText('Sign off the gate of phase 1 Prepare');
    await app.type('looked around');
    // Enter signs; a follows in the same read, before the engine's next store update is due.
    await app.type(`${keys.enter}a`);
    const dialog = await app.waitForText('Run the rest of phase 2 Work?');
    expect(dialog).toContain('2.1 First command (run)');
    expect(dialog).not.toContain('nothing to run');
    expect(run.engine.run.phases[0].gateStatus).toBe('passed');
  });
});
