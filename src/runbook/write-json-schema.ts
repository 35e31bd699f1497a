import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { runbook } from './schema.js';

// Writes runbooks/runbook.schema.json from the zod schema, for editors (yaml-language-server:
// `# yaml-language-server: $schema=./runbook.schema.json`). `--check` exits 1 when it is stale.

const target = resolve(import.meta.dirname, '..', '..', 'runbooks', 'runbook.schema.json');

function generate(): string {
  const schema = z.toJSONSchema(runbook, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  const document = {
    ...schema,
    $id: 'https://stepwise.dev/runbook.schema.json',
    title: 'stepwise runbook (format version 1)',
    description:
      'A stepwise runbook: phases of steps (run, sql, check, wait, manual, backfill, compare, soak). ' +
      'Generated from src/runbook/schema.ts by `npm run schema`; see runbooks/README.md.',
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function current(): string | undefined {
  try {
    return readFileSync(target, 'utf8');
  } catch {
    return undefined;
  }
}

const wanted = generate();
if (process.argv.includes('--check')) {
  if (current() !== wanted) {
    process.stderr.write(`${target} is out of date with src/runbook/schema.ts; run \`npm run schema\`\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${target} is up to date\n`);
  }
} else {
  writeFileSync(target, wanted);
  process.stdout.write(`wrote ${target}\n`);
}
