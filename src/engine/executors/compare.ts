import type { CompareBody } from '../../runbook/schema.js';
import { compareData } from '../compare/compare-data.js';
import { type CompareReport, describeReport, summarise } from '../compare/compare-report.js';
import type { ExecContext, StepResult } from '../executor.js';

function details(r: CompareReport): Record<string, unknown> {
  return {
    left: r.left,
    right: r.right,
    chunks: r.chunks,
    differing_chunks: r.differingChunks,
    ranges: r.ranges,
    missing_left: r.missingLeft,
    missing_right: r.missingRight,
    different: r.different,
    duration_ms: r.durationMs,
  };
}

// The compare step, and the `compare` check body (check, verify, gate): passes when both sides
// hold the same rows; otherwise fails with the mismatch report.
export async function compareExecutor(body: CompareBody, ctx: ExecContext): Promise<StepResult> {
  const report = await compareData(body, ctx);
  const lines = describeReport(report);
  ctx.output(`${lines.join('\n')}\n`);
  const summary = summarise(report);
  if (report.equal) return { ok: true, rows: report.left.rows, summary, details: details(report) };
  return { ok: false, summary, error: lines.slice(2).join('\n'), details: details(report) };
}
