import { StepwiseError } from '../../errors/stepwise-error.js';
import { parseDuration } from '../../runbook/parse-duration.js';
import type { Renderer } from '../../runbook/render.js';
import type { BackfillBody } from '../../runbook/schema.js';
import type { BatchTimeouts } from './batch-timeouts.js';

export interface BackfillSettings {
  from: string;
  key: string[];
  batch: number;
  targetMs: number;
  timeouts: BatchTimeouts;
}

export const defaults = { batch: 1000, target: '500ms', lockTimeout: '2s', statementTimeout: '30s' };

function batchSize(body: BackfillBody, render: Renderer): number {
  if (body.batch === undefined) return defaults.batch;
  const text = typeof body.batch === 'number' ? String(body.batch) : render.text(body.batch).trim();
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    throw new StepwiseError(
      `backfill batch: "${text}" is not a positive whole number of rows`,
      'stepFailed',
    );
  }
  return n;
}

export function readSettings(body: BackfillBody, render: Renderer): BackfillSettings {
  return {
    from: render.text(body.from),
    key: typeof body.key === 'string' ? [body.key] : body.key,
    batch: batchSize(body, render),
    targetMs: parseDuration(body.target ?? defaults.target),
    timeouts: {
      lockMs: parseDuration(body.lock_timeout ?? defaults.lockTimeout),
      statementMs: parseDuration(body.statement_timeout ?? defaults.statementTimeout),
    },
  };
}
