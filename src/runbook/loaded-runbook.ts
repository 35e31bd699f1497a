import type { Runbook } from './schema.js';

// Contract of the loader. Implementation: helper for runbook/.
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
  severity: 'error' | 'warning';
  rule?: string;
}

export interface LoadedRunbook {
  path: string; // absolute
  dir: string;
  source: string;
  sha256: string;
  runbook: Runbook;
  // Hash of each step's definition (including the content of its sql files), for drift.
  stepHashes: Record<string, string>;
  // Content of every referenced sql file, keyed by its path as written (relative to the runbook).
  files: Record<string, string>;
  // Where each step starts in the runbook (1-based), for messages that name the runbook line.
  positions: Record<string, { line: number; col: number }>;
}

// What a front end is sent of the runbook: its definition and where it came from. Not the
// loader's lazy parts (step hashes, positions), which would be computed only to be sent.
export type RunbookView = Pick<LoadedRunbook, 'path' | 'sha256' | 'runbook'>;
