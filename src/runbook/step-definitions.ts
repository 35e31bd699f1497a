import type { Runbook } from './schema.js';
import { sqlFilesOf } from './step-hashes.js';

// Each step's definition as text (its YAML as JSON, then the sql files it runs): what the step
// hash stands for, kept so that drift can show what changed, not only that something did.
export function stepDefinitions(runbook: Runbook, files: Record<string, string>): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const phase of runbook.phases) {
    for (const step of phase.steps) {
      const sql = sqlFilesOf(step).map((file) => `\n-- ${file}\n${files[file] ?? ''}`);
      texts[step.id] = `${JSON.stringify(step, null, 2)}\n${sql.join('')}`;
    }
  }
  return texts;
}
