import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Writes a runbook (runbook.yaml) and its sql files into a fresh temporary directory.
export function writeRunbook(yaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-runbook-'));
  for (const [name, content] of Object.entries({ 'runbook.yaml': yaml, ...files })) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return join(dir, 'runbook.yaml');
}

// A minimal valid runbook around the given steps (already indented by 6 spaces).
export function runbookWith(steps: string, head = ''): string {
  return `version: 1\nname: example\n${head}connections:\n  app: { embedded: demo }\nphases:\n  - id: main\n    steps:\n${steps}`;
}
