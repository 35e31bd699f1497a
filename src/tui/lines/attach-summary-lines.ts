import type { EngineView } from '../../engine/engine-api.js';
import type { JournalEvent } from '../../journal/events.js';
import { formatDuration, formatTimeOfDay } from '../../format/format-time.js';
import { wrapText } from '../../format/wrap-text.js';
import { type Line, seg } from '../styled-line.js';

type Color = 'green' | 'red' | 'yellow' | 'cyan' | undefined;

// One event as a sentence for someone who was not there, or nothing for what says little.
function describe(event: JournalEvent, name: (step: string) => string): { text: string; color?: Color } | undefined {
  const e = event as JournalEvent & Record<string, unknown>;
  const step = typeof e.step === 'string' ? name(e.step) : '';
  switch (event.type) {
    case 'run.started':
      return { text: `the run started (${String(e.operator)})` };
    case 'run.resumed':
      return { text: `the run was resumed (${String(e.operator)})` };
    case 'run.paused':
      return { text: `the run was paused: ${String(e.reason)}`, color: 'yellow' };
    case 'run.finished':
      return { text: `the run finished: ${String(e.outcome)}`, color: 'green' };
    case 'step.started':
      return { text: `${step} started${e.rollback ? ' (rollback)' : ''}` };
    case 'step.succeeded':
      return { text: `${step} succeeded in ${formatDuration(Number(e.duration_ms))}${e.summary ? `: ${String(e.summary)}` : ''}`, color: 'green' };
    case 'step.failed':
      return { text: `${step} failed: ${String(e.error)}`, color: 'red' };
    case 'step.skipped':
      return { text: `${step} was skipped: ${String(e.reason)}` };
    case 'step.signed':
      return { text: `${step} was signed by ${String(e.user ?? e.operator)}${e.note ? `: ${String(e.note)}` : ''}`, color: 'cyan' };
    case 'gate.signed':
      return { text: `the gate of ${String(e.phase)} was signed by ${String(e.user ?? e.operator)}`, color: 'cyan' };
    case 'gate.passed':
      return { text: `the gate of ${String(e.phase)} passed`, color: 'green' };
    case 'step.rolled_back':
      return { text: `${step} was rolled back` };
    case 'step.rollback_failed':
      return { text: `the rollback of ${step} failed: ${String(e.error)}`, color: 'red' };
    default:
      return undefined;
  }
}

// What happened while nobody was attached (the engine kept it), newest last, as many as fit.
export function attachSummaryLines(args: { view: EngineView; width: number; height: number }): Line[] {
  const { view, width, height } = args;
  const name = (id: string) => `${view.numbers[id] ?? '-'} ${view.run.steps[id]?.title ?? id}`;
  const wrap = (text: string, style = {}): Line[] => wrapText(text, width - 2).map((t) => [seg(` ${t}`, style)]);
  const happened: Line[] = [];
  for (const event of view.unattended ?? []) {
    const said = describe(event, name);
    if (!said) continue;
    const [first, ...rest] = wrapText(said.text, width - 12);
    happened.push([seg(` ${formatTimeOfDay(event.ts)}  `, { dim: true }), seg(first, { color: said.color })]);
    for (const more of rest) happened.push([seg(`           ${more}`, { color: said.color })]);
  }
  const head: Line[] = [
    ...wrap(`Run ${view.run.runId} of "${view.run.started.runbook.title}"`, { bold: true }),
    ...wrap(
      happened.length
        ? 'What the engine did while nobody was attached:'
        : 'Nothing happened while nobody was attached.',
    ),
    [],
  ];
  const next = view.live.active
    ? `${name(view.live.active.step)} is running now.`
    : view.next?.kind === 'step'
      ? `Next: ${name(view.next.step)}.`
      : view.next?.kind === 'gate'
        ? `Next: the gate of phase ${view.next.phase}.`
        : 'The run has nothing left to do.';
  const tail: Line[] = [[], ...wrap(next, { bold: true }), ...wrap('enter: the checklist · q: detach', { dim: true })];
  const room = Math.max(0, height - head.length - tail.length);
  const shown = happened.length > room ? [[seg(` … ${happened.length - room + 1} earlier lines`, { dim: true })], ...happened.slice(-(room - 1))] : happened;
  return [...head, ...(room > 0 ? shown : []), ...tail];
}
