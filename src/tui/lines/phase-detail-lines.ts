import type { EngineView } from '../../engine/engine-api.js';
import { findPhase } from '../find-step.js';
import { formatTimeOfDay } from '../../format/format-time.js';
import { markdownToText } from '../../format/markdown-to-text.js';
import { phaseProgress } from '../../journal/run-questions.js';
import { fitLine, type Line, type Style, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';
import { wrapText } from '../../format/wrap-text.js';
import { gateLabel } from './gate-label.js';

// The detail pane of a phase (or of its gate): progress, the gate's requirement and state with
// every sign-off and check result, then the phase description.
export function phaseDetailLines(args: {
  view: EngineView;
  phaseId: string;
  width: number;
  height: number;
  theme: Theme;
}): Line[] {
  const { view, width, height, theme } = args;
  const phase = view.run.phases.find((p) => p.id === args.phaseId)!;
  const def = findPhase(view.runbook.runbook, phase.id);
  const progress = phaseProgress(phase, view.run);
  const wrapped = (text: string, style: Style = {}) =>
    wrapText(text, width).map((t): Line => [seg(t, style)]);
  const lines: Line[] = [[seg(`${progress.done}/${progress.total} steps done`, { bold: true })]];
  const gateNext = view.next?.kind === 'gate' && view.next.phase === phase.id;
  if (phase.gate) {
    const state =
      phase.gateStatus === 'passed'
        ? 'passed'
        : gateNext
          ? 'waiting for you'
          : 'reached when every step is done';
    lines.push([
      seg(`${gateLabel(phase)}${theme.glyphs.separator}`),
      seg(state, {
        color: phase.gateStatus === 'passed' ? 'green' : gateNext ? 'yellow' : undefined,
        bold: gateNext,
      }),
    ]);
    for (const s of phase.gateSignoffs) {
      lines.push(
        ...wrapped(`signed off by ${s.operator} at ${formatTimeOfDay(s.ts)}${s.note ? `: ${s.note}` : ''}`, {
          color: 'green',
        }),
      );
    }
    if (phase.gateCheck) {
      const failures = (phase.gateCheck.details?.failures as string[] | undefined) ?? [];
      lines.push(
        phase.gateCheck.ok
          ? [seg('gate checks passed', { color: 'green' })]
          : [seg('gate checks failed:', { color: 'red', bold: true })],
      );
      for (const f of failures) lines.push(...wrapped(`  ${f}`, { color: 'red' }));
    }
    if (gateNext) {
      const needed = view.next?.kind === 'gate' ? view.next.signoffsNeeded : 0;
      lines.push([
        seg(needed > 0 ? 'next: s signs off the gate' : 'next: enter runs the gate checks', {
          color: 'cyan',
          bold: true,
        }),
      ]);
    }
  }
  if (def?.description) {
    lines.push([]);
    lines.push(...wrapped(markdownToText(def.description)));
  }
  const out = lines.slice(0, height).map((line) => fitLine(line, width, { ascii: theme.ascii }));
  while (out.length < height) out.push([]);
  return out;
}
