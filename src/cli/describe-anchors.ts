import type { AnchorVerdict } from '../engine/check-anchors.js';
import { describeHead } from '../journal/anchor-mismatch.js';
import type { RunState } from '../journal/reducer.js';

// verify's lines about the journal's anchors, and whether one of them shows it cut or rewritten.
export function describeAnchors(
  runId: string,
  state: RunState | undefined,
  verdicts: AnchorVerdict[],
): { lines: string[]; failed: boolean } {
  if (!state || Object.keys(state.started.connections).length === 0) {
    return { lines: [`${runId}: anchor: not checked: the run has no database connection to anchor its journal to`], failed: false };
  }
  const fullyRolledBack = state.status === 'rolled_back';
  const lines = verdicts.map((v) => {
    switch (v.state) {
      case 'holds':
        return `${runId}: anchor on ${v.conn}: the journal holds the anchored head, ${describeHead(v.anchored)}`;
      case 'differs':
        return `${runId}: anchor on ${v.conn}: FAILED: ${v.problem}`;
      case 'none':
        return fullyRolledBack
          ? `${runId}: anchor on ${v.conn}: none (the full rollback removed the run's anchors with its other rows)`
          : `${runId}: anchor on ${v.conn}: none (the run anchored nothing there: it ran before anchors, or never ended a step)`;
      case 'unchecked':
        return `${runId}: anchor on ${v.conn}: not checked: ${v.reason}`;
    }
  });
  return { lines, failed: verdicts.some((v) => v.state === 'differs') };
}
