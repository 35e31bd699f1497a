import { StepwiseError } from '../errors/stepwise-error.js';
import type { Diagnostic } from './loaded-runbook.js';

function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}

// The runbook cannot be used: one line per error, `file:line:col: message`. Exit code 2.
export class RunbookInvalidError extends StepwiseError {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'), 'usage');
  }
}
