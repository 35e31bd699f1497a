import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenedRun, startRun } from '../../src/engine/open-run.js';
import { runDir } from '../../src/journal/state-dir.js';
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

  it('- pressed twice in a row halves the batch size twice, and the next batches use it', async () => {
    const { run, stateDir } = await start(`version: 1
name: steer-backfill
connections:
  db: { embedded: steer }
phases:
  - id: copy
    title: Copy
    steps:
      - id: source
        sql: CREATE TABLE src (id int PRIMARY KEY); INSERT INTO src SELECT g FROM generate_series(1, 5000) g
      - id: target
        sql: CREATE TABLE dst (id int PRIMARY KEY)
      - id: copy-rows
        title: Copy the rows
        backfill:
          from: src
          key: id
          batch: 5000
          sql: INSERT INTO dst SELECT id FROM src WHERE id > :lo AND id <= :hi
`);
    await run.engine.runStep('source');
    await run.engine.runStep('target');
    // Held before its first batch (\`touch <run>/pause\`), so the keys meet it running.
    const pauseFile = join(runDir(stateDir, run.engine.run.runId), 'pause');
    writeFileSync(pauseFile, '');
    const app = await renderApp(run.engine, { columns: 80, rows: 24 });
    await app.waitForText('1.3 Copy the rows');
    // Off production the engine asks nothing before a backfill: enter starts it.
    await app.press(keys.enter);
    await app.waitForText('+/- batch size');
    // Its "paused" report is on screen: no store update is due when the keys come.
    const held = () => run.engine.store.getState().run.steps['copy-rows'].progress?.data?.state === 'paused';
    await app.waitFor(held, 'the backfill held before its first batch');
    await app.waitForText('PAUSED (pause file)');
    await app.type('--');
    await app.waitForText('batch size 1,250 rows from the next batch');
    expect(run.engine.store.getState().live.backfill['copy-rows']?.batchSize).toBe(1250);
    rmSync(pauseFile);
    await app.waitFor(() => run.engine.run.steps['copy-rows'].status === 'succeeded', 'the copy done');
    expect(run.engine.store.getState().live.backfill['copy-rows']?.pausedByFile).toBe(false);
    const batches = run.engine.readJournal().filter((e) => e.type === 'batch.committed');
    expect(batches.map((b) => b.size)).toEqual([1250, 1250, 1250, 1250]);
  });
});
