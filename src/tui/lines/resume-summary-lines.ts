import type { EngineView } from '../../engine/engine-api.js';
import { formatDateTime, formatDuration, formatMinutes, formatTimeOfDay } from '../../format/format-time.js';
import { stepDone, stoppedByPause } from '../../journal/run-questions.js';
import { stepMark, stepWord } from '../step-symbol.js';
import { type Line, seg, spreadLine } from '../styled-line.js';
import type { Theme } from '../theme.js';
import { windowUsage } from '../window-usage.js';
import { wrapText } from '../../format/wrap-text.js';


// Before the checklist on resume: who started the run and when, how much of the window is
// used, what ran (the latest steps, as many as fit), what was interrupted or failed, what is next.
export function resumeSummaryLines(args: {
  view: EngineView;
  now: number;
  width: number;
  height: number;
  theme: Theme;
}): Line[] {
  const { view, now, width, height, theme } = args;
  const run = view.run;
  const started = run.started;
  const name = (id: string) => `${view.numbers[id] ?? '-'} ${run.steps[id]?.title ?? id}`;
  const wrap = (text: string, style = {}): Line[] =>
    wrapText(text, width - 2).map((t) => [seg(` ${t}`, style)]);
  const steps = run.order.map((id) => run.steps[id]);
  const count = (status: string) => steps.filter((s) => s.status === status && !stoppedByPause(s)).length;
  const stopped = steps.filter(stoppedByPause).length;
  const passedOver = steps.filter((s) => s.status === 'succeeded' && !stepDone(s)).length;
  const usage = windowUsage(run, now);

  const head: Line[] = [
    ...wrap(`Run ${run.runId} of "${started.runbook.title}"`, { bold: true }),
    ...wrap(
      `started ${formatDateTime(run.startedAt)} by ${started.operator} on ${started.host}${started.ssh ? ` (SSH from ${started.ssh})` : ''}` +
        (run.operators.length > 1 ? `; operators since: ${run.operators.join(', ')}` : ''),
    ),
    ...wrap(
      `${usage.label} used: ${formatMinutes(usage.elapsedMs)}${usage.budgetMs !== undefined ? ` of ${formatMinutes(usage.budgetMs)}` : ''} (wall clock since it started)`,
      {
        color: usage.level === 'over' ? 'red' : usage.level === 'warn' ? 'yellow' : undefined,
        bold: usage.level !== 'ok',
      },
    ),
    ...wrap(
      [
        `${count('succeeded') - passedOver} of ${steps.length} steps done`,
        count('skipped') && `${count('skipped')} skipped`,
        count('failed') && `${count('failed')} failed`,
        stopped && `${stopped} stopped by the pause`,
        count('interrupted') && `${count('interrupted')} interrupted`,
        count('rolled_back') && `${count('rolled_back')} rolled back`,
        passedOver && `${passedOver} passed over by the rollback (they run again)`,
      ]
        .filter(Boolean)
        .join(' · '),
    ),
  ];
  const problems: Line[] = [];
  for (const s of steps) {
    if (s.status === 'interrupted') {
      const who = s.startedAt ? `, started ${formatTimeOfDay(s.startedAt)} by ${s.operator ?? '?'}` : '';
      const probe = s.probe
        ? s.probe.applied
          ? '; its probe says it took effect'
          : '; its probe says it had not taken effect'
        : '';
      problems.push(
        ...wrap(`${theme.glyphs.warning} interrupted: ${name(s.id)} (attempt ${s.attempts}${who})${probe}`, {
          color: 'yellow',
          bold: true,
        }),
      );
    }
    if (stoppedByPause(s)) {
      const pause = s.stoppedByPause!;
      problems.push(
        ...wrap(
          `${theme.glyphs.warning} stopped by the pause: ${name(s.id)} (attempt ${s.attempts}): ` +
            `${pause.operator} paused the run at ${formatTimeOfDay(pause.ts)} (${pause.reason}); ` +
            'it is offered to run again',
          { color: 'yellow', bold: true },
        ),
      );
    } else if (s.status === 'failed')
      problems.push(
        ...wrap(`${theme.glyphs.status.failed} failed: ${name(s.id)}: ${s.error ?? ''}`, { color: 'red' }),
      );
  }
  const next = view.next;
  const nextText =
    !next || next.kind === 'done'
      ? 'next: nothing; the run is complete'
      : next.kind === 'gate'
        ? `next: the gate of phase ${run.phases.findIndex((p) => p.id === next.phase) + 1} ${run.phases.find((p) => p.id === next.phase)?.title ?? ''}`
        : `next: ${name(next.step)}${
            next.needs === 'interrupted'
              ? ' (decide: retry, mark done or roll back)'
              : stoppedByPause(run.steps[next.step])
                ? ' (stopped by the pause: enter runs it again)'
                : ''
          }`;
  const tail: Line[] = [...wrap(nextText, { color: 'cyan', bold: true })];
  if (view.drift.length)
    tail.push(
      ...wrap(
        `${theme.glyphs.warning} the runbook changed since the run started (${view.drift.length} steps): shown next`,
        { color: 'yellow' },
      ),
    );

  const ran = steps
    .filter((s) => s.endedAt && s.status !== 'pending')
    .sort((a, b) => (a.endedAt ?? '').localeCompare(b.endedAt ?? ''));
  const room = height - head.length - problems.length - tail.length - 3;
  const shown = room > 0 ? ran.slice(-room) : [];
  const ranLines: Line[] = shown.map((s) =>
    spreadLine(
      [
        seg('   '),
        stepMark(s, theme.glyphs, theme.glyphs.spinner[0]),
        seg(` ${name(s.id)}`),
      ],
      [
        seg(`${stepWord(s).text} `, { dim: true }),
        seg(
          `${s.operator ?? ''} ${s.endedAt ? formatTimeOfDay(s.endedAt) : ''}${s.durationMs !== undefined ? ` ${formatDuration(s.durationMs)}` : ''}`,
          { dim: true },
        ),
      ],
      width,
      { ascii: theme.ascii },
    ),
  );
  const ranTitle: Line[] = ran.length
    ? [
        [
          seg(` what ran${ran.length > shown.length ? ` (latest ${shown.length} of ${ran.length})` : ''}:`, {
            dim: true,
          }),
        ],
      ]
    : [[seg(' nothing ran yet', { dim: true })]];
  return [...head, ...problems, [], ...ranTitle, ...ranLines, [], ...tail].slice(0, height);
}
