import { describe, expect, it } from 'vitest';
import { createRenderer } from '../../src/runbook/create-renderer.js';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import { previewStep } from '../../src/runbook/preview-step.js';

const loaded = await loadRunbook('tests/runbook/fixtures/queue-migration.yaml');
const renderer = createRenderer({
  vars: { batch_size: 5000, ticket: "CHG-1'; --", api_token: 's3cr3t-token', queue_table: 'app.task_queue' },
  secretVars: ['api_token'],
  connections: { app: { url: 'postgres://app:hunter2@db.internal/app' } },
  run: { id: 'queue-20261123T0200Z', operator: 'alice' },
});

function preview(id: string): string {
  const step = loaded.runbook.phases.flatMap((p) => p.steps).find((s) => s.id === id)!;
  return previewStep(step, renderer, loaded);
}

describe('what a step will run, as the operator sees it before running it', () => {
  it('argv with values filled in, quoted for reading, passwords masked', () => {
    expect(preview('backup')).toBe(
      'pg_dump --format=custom --file backup-queue-20261123T0200Z.dump postgres://app:***@db.internal/app',
    );
  });

  it('a shell command with its values shell-quoted and secrets masked', () => {
    expect(preview('notify')).toBe(`curl --oauth2-bearer *** https://example.test/"CHG-1'; --"`);
  });

  it('SQL with names filled in, :name kept and its value listed below', () => {
    expect(preview('record-ticket')).toBe(
      [
        "SET LOCAL lock_timeout = '5s';",
        'INSERT INTO "app"."task_queue" (kind, note)',
        "VALUES ('ticket', :ticket);",
        "-- :ticket = CHG-1'; --",
      ].join('\n'),
    );
  });

  it('a sql file inlined, and a rollback body', () => {
    const text = preview('create-queue');
    expect(text.split('\n').slice(0, 3)).toEqual([
      '-- on app',
      '-- sql/create_queue.sql',
      "SET lock_timeout = '5s';",
    ]);
    expect(text).toContain('CREATE FUNCTION task_queue_touch()');
    const step = loaded.runbook.phases[1].steps[0];
    expect(previewStep(step.rollback!, renderer, loaded)).toBe('-- on app\nDROP TABLE IF EXISTS task_queue');
  });

  it('a backfill with its batch size and key range, a check with its expectation, a wait with its schedule', () => {
    expect(preview('copy-tasks')).toMatch(
      /^-- backfill from background_tasks by id, batches of 5000\n-- on app\nINSERT INTO task_queue/,
    );
    expect(preview('copy-tasks')).toMatch(
      /-- :lo, :hi = the key range of each batch \(lo exclusive, hi inclusive\)$/,
    );
    expect(preview('no-orphans')).toMatch(/\n-- expect n = 0$/);
    expect(preview('drain')).toMatch(/\n-- until n = 0, every 5s, timeout 10m$/);
    expect(preview('consistent')).toBe(
      'compare app: background_tasks (id, payload, status) by id\n   with app: task_queue (id, payload, status) by id',
    );
    expect(preview('stop-intake')).toBe(
      'Scale the legacy worker to 0 replicas and confirm no new tasks arrive.',
    );
  });

  it('shows a template as written when it cannot be filled yet', () => {
    const embedded = createRenderer({
      vars: {},
      secretVars: [],
      connections: { app: {} },
      run: { id: 'r', operator: 'o' },
    });
    expect(previewStep({ run: ['pg_dump', '{{ conn.app.url }}'] }, embedded, loaded)).toBe(
      "pg_dump '{{ conn.app.url }}'",
    );
  });
});
