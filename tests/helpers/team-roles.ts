import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { testDatabaseUrl } from './scratch-database.js';

// The README's grants for team mode, run as written on a scratch database, with role names of the
// test's own: roles belong to the whole server, which other tests share. `url(role)` connects as
// one of them; `drop()` removes them (after the scratch database is dropped).
export interface TeamRoles {
  names: Record<'stepwise_operators' | 'stepwise_watchers' | 'alice' | 'carol', string>;
  url(role: string): string;
  drop(): Promise<void>;
}

function readmeGrants(names: Record<string, string>): string[] {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const block = /```sql\n(CREATE ROLE stepwise_operators[\s\S]*?)```/.exec(readme)![1];
  return block
    .replace(/--.*$/gm, '')
    .replace(/\b(stepwise_operators|stepwise_watchers|alice|carol)\b/g, (name) => names[name])
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function grantTeamRoles(databaseUrl: string, run: (statement: string) => Promise<unknown>): Promise<TeamRoles> {
  const tag = randomBytes(3).toString('hex');
  const names = {
    stepwise_operators: `sw_ops_${tag}`,
    stepwise_watchers: `sw_watch_${tag}`,
    alice: `sw_alice_${tag}`,
    carol: `sw_carol_${tag}`,
  };
  for (const statement of readmeGrants(names)) await run(statement);
  return {
    names,
    url(role) {
      const url = new URL(databaseUrl);
      url.username = role;
      return url.toString();
    },
    async drop() {
      const admin = postgres(testDatabaseUrl!, { max: 1, onnotice: () => {} });
      try {
        for (const role of [names.alice, names.carol, names.stepwise_watchers, names.stepwise_operators])
          await admin.unsafe(`DROP ROLE IF EXISTS ${role}`);
      } finally {
        await admin.end({ timeout: 1 });
      }
    },
  };
}
