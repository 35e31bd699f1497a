import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A large runbook of every step kind, as a long migration would have: sql with :name
// parameters and sql files, checks, waits, backfills, compares, manual steps, rollbacks,
// probes and verifies; a secret var and two connections.

const head = `version: 1
name: bench-plan
title: A long migration, for timing stepwise plan
window: { budget: 2h, rollback_budget: 1h }
vars:
  batch_size: { default: 5000, description: rows per batch }
  tenant: { default: acme, description: tenant whose rows move }
  archive_schema: { default: archive }
  api_token: { env: BENCH_API_TOKEN, default: not-a-real-token, secret: true }
connections:
  app:
    url: { env: BENCH_APP_URL }
    embedded: bench-plan
  archive:
    url: postgres://migrator@archive.internal:5432/archive
    production: true
phases:
`;

function stepYaml(p: number, s: number): string {
  const id = `p${p}-s${s}`;
  const table = `items_${p}_${s}`;
  const title = `      - id: ${id}\n        title: Step ${s} of phase ${p} on ${table}\n`;
  switch (s % 10) {
    case 0:
      return `${title}        run: [pg_dump, --format=custom, --table, ${table}, --file, "backup-{{ run.id }}-${id}.dump", "{{ conn.app.url }}"]
        timeout: 10m
`;
    case 1:
      return `${title}        sql:
          conn: app
          text: |
            UPDATE ${table} SET status = 'moved', moved_by = :tenant
            WHERE tenant = :tenant AND status = 'ready' AND id <= :batch_size
          rows: { max: 100000 }
        probe:
          conn: app
          sql: SELECT count(*)::int AS ready FROM ${table} WHERE tenant = :tenant AND status = 'ready'
          expect: { ready: 0 }
        rollback:
          sql: { conn: app, text: "UPDATE ${table} SET status = 'ready' WHERE tenant = :tenant AND status = 'moved'" }
`;
    case 2:
      return `${title}        sql: { conn: app, file: sql/${id}.sql }
        verify:
          conn: app
          sql: SELECT count(*)::int AS n FROM ${table}_copy
          expect: { n: { gt: 0 } }
        rollback:
          sql: { conn: app, text: "DROP TABLE IF EXISTS ${table}_copy" }
`;
    case 3:
      return `${title}        check:
          conn: app
          sql: |
            SELECT count(*)::int AS orphans FROM ${table} i
            LEFT JOIN parents p ON p.id = i.parent_id WHERE p.id IS NULL AND i.tenant = :tenant
          expect: { orphans: 0 }
`;
    case 4:
      return `${title}        wait:
          conn: app
          sql: SELECT count(*)::int AS running FROM ${table} WHERE status = 'running'
          until: { running: 0 }
          every: 5s
          timeout: 10m
`;
    case 5:
      return `${title}        description: |
          Scale the **${table}** workers to zero and confirm in the dashboard that the queue is idle.
        manual: Scale the ${table} workers to 0 replicas; confirm no new rows arrive.
`;
    case 6:
      return `${title}        backfill:
          conn: app
          from: ${table}
          key: id
          batch: "{{ vars.batch_size }}"
          sql: |
            INSERT INTO ${table}_copy (id, tenant, payload, status)
            SELECT id, tenant, payload, status FROM ${table}
            WHERE id > :lo AND id <= :hi AND tenant = :tenant
            ON CONFLICT (id) DO NOTHING
        rollback:
          sql: { conn: app, text: "TRUNCATE ${table}_copy" }
`;
    case 7:
      return `${title}        compare:
          left: { conn: app, table: ${table}, key: id, columns: [id, tenant, payload, status] }
          right: { conn: app, table: ${table}_copy, key: id, columns: [id, tenant, payload, status] }
`;
    case 8:
      return `${title}        run:
          argv: [curl, -fsS, -H, "Authorization: Bearer {{ vars.api_token }}", "https://deploy.internal/flags/${table}"]
          expect: { stdout: '"enabled":\\s*true' }
        retries: { attempts: 3, backoff: 5s }
`;
    default:
      return `${title}        sql:
          conn: archive
          text: |
            INSERT INTO {{ ident vars.archive_schema }}.${table}
            SELECT * FROM ${table}_staging WHERE tenant = :tenant
        confirm: archive ${table}
        rollback:
          sql: { conn: archive, text: "DELETE FROM {{ ident vars.archive_schema }}.${table} WHERE tenant = :tenant" }
`;
  }
}

function sqlFile(p: number, s: number): string {
  const table = `items_${p}_${s}`;
  return `SET LOCAL lock_timeout = '5s';
CREATE TABLE ${table}_copy (LIKE ${table} INCLUDING ALL);
INSERT INTO ${table}_copy SELECT * FROM ${table} WHERE tenant = :tenant;
`;
}

// Writes runbook.yaml and its sql files into dir; returns the runbook's path.
export function writePlanRunbook(dir: string, phases: number, stepsPerPhase: number): string {
  mkdirSync(join(dir, 'sql'), { recursive: true });
  let yaml = head;
  for (let p = 1; p <= phases; p++) {
    yaml += `  - id: phase-${p}\n    title: Phase ${p}\n    steps:\n`;
    for (let s = 1; s <= stepsPerPhase; s++) {
      yaml += stepYaml(p, s);
      if (s % 10 === 2) writeFileSync(join(dir, 'sql', `p${p}-s${s}.sql`), sqlFile(p, s));
    }
    yaml += p % 2 ? '    gate: { signoff: true }\n' : '';
  }
  const path = join(dir, 'runbook.yaml');
  writeFileSync(path, yaml);
  return path;
}
