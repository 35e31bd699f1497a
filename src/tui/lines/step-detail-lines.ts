import { isCheckDetails } from '../../journal/events.js';
import type { EngineView } from '../../engine/engine-api.js';
import { readOnlyKinds } from '../../engine/step-rules.js';
import type { StepState } from '../../journal/reducer.js';
import { describeValue } from '../describe-value.js';
import { findStep } from '../find-step.js';
import { formatCount } from '../../format/format-count.js';
import { formatClock, formatDuration, formatTimeOfDay } from '../../format/format-time.js';
import { markdownToText } from '../../format/markdown-to-text.js';
import { stepMark, stepWord } from '../step-symbol.js';
import { fitLine, type Line, type Style, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';
import { wrapText } from '../../format/wrap-text.js';
import { allocateRows } from './allocate-rows.js';
import { backfillProgressLines } from './backfill-progress-lines.js';
import { expectedActualLines } from './expected-actual-lines.js';
import { soakLines } from './soak-lines.js';
import { titledRule } from './rule-lines.js';

export interface DetailArgs {
  view: EngineView;
  width: number;
  height: number;
  theme: Theme;
  spinnerFrame: string;
  now: number;
}

function wrapped(text: string, width: number, style: Style = {}, indent = ''): Line[] {
  return wrapText(text, width - indent.length).map((t) => [seg(indent + t, style)]);
}

function nextHint(view: EngineView, id: string): string | undefined {
  const next = view.next;
  if (next?.kind !== 'step' || next.step !== id) return undefined;
  if (view.run.steps[id]?.status === 'failed') return 'next: r retries it';
  if (view.run.steps[id]?.status === 'soaking') return 'next: enter keeps checking until the end';
  switch (next.needs) {
    case 'signoff':
      return 'next: s signs it off when done';
    case 'interrupted':
      return 'next: enter to decide (retry, mark done, roll back)';
    case 'phrase':
      return 'next: enter, then type the confirmation phrase';
    case 'confirm':
      return 'next: enter, then confirm';
    default:
      return 'next: enter runs it';
  }
}

function running(step: StepState): boolean {
  return step.status === 'running' || step.status === 'rolling_back';
}

function statusLine(args: DetailArgs, step: StepState): Line {
  const { theme, now, view } = args;
  const line: Line = [
    stepMark(step, theme.glyphs, args.spinnerFrame),
    seg(` ${stepWord(step).text}`, { color: stepWord(step).color, bold: true }),
  ];
  const add = (text: string, style: Style = {}) =>
    line.push(seg(theme.glyphs.separator, { dim: true }), seg(text, style));
  if (step.attempts > 1 || step.status === 'running') add(`attempt ${step.attempts}`);
  if (step.operator) add(step.operator, { color: 'cyan' });
  if (running(step) && step.startedAt) {
    add(formatClock(now - Date.parse(step.startedAt)));
  } else if (step.durationMs !== undefined && step.status !== 'pending') {
    add(formatDuration(step.durationMs));
  }
  if (step.endedAt && step.status !== 'running') add(`at ${formatTimeOfDay(step.endedAt)}`, { dim: true });
  if (step.rows !== undefined) add(`${formatCount(step.rows)} rows`);
  const hint = running(step) ? undefined : nextHint(view, step.id);
  if (hint) add(hint, { color: 'cyan', bold: true });
  return line;
}

function records(args: DetailArgs, step: StepState): Line[] {
  const { width, theme } = args;
  const lines: Line[] = [];
  const at = (ts: string) => formatTimeOfDay(ts);
  const withNote = (text: string, note?: string) => (note ? `${text}: ${note}` : text);
  if (step.confirmedBy) {
    const note = step.confirmedBy.note === 'confirmed' ? undefined : step.confirmedBy.note;
    lines.push(
      ...wrapped(
        withNote(`confirmed by ${step.confirmedBy.operator} at ${at(step.confirmedBy.ts)}`, note),
        width,
      ),
    );
  }
  if (step.signoff) {
    lines.push(
      ...wrapped(
        withNote(`signed off by ${step.signoff.operator} at ${at(step.signoff.ts)}`, step.signoff.note),
        width,
        {
          color: 'green',
        },
      ),
    );
  }
  if (step.skipReason !== undefined) {
    lines.push(
      ...wrapped(`skipped by ${step.operator ?? 'unknown'}: ${step.skipReason}`, width, { color: 'yellow' }),
    );
  }
  if (step.probe) {
    lines.push(
      ...wrapped(
        step.probe.applied
          ? 'probe on resume: the step had already taken effect'
          : 'probe on resume: the step had not taken effect',
        width,
        { dim: true },
      ),
    );
  }
  const rb = step.rollback;
  if (rb?.error) {
    lines.push(...wrapped(`rollback failed: ${rb.error}`, width, { color: 'red' }));
  } else if (rb) {
    const how = rb.how === 'signed' ? 'rollback signed off' : 'rolled back';
    lines.push(
      ...wrapped(withNote(`${how} by ${rb.operator} at ${at(rb.ts)}`, rb.note), width, { color: 'magenta' }),
    );
  } else if (step.passedOver && step.status === 'succeeded') {
    lines.push(
      ...wrapped(
        `passed over by the rollback of ${step.passedOver.operator} at ${at(step.passedOver.ts)}: ` +
          'what it found was before the rollback, so it counts as not done',
        width,
        { color: 'magenta' },
      ),
    );
  } else if (!readOnlyKinds.has(step.kind) && step.kind !== 'manual') {
    lines.push([
      seg(
        step.reversible
          ? 'rollback: defined (b shows the plan)'
          : `${theme.glyphs.warning} no rollback: irreversible, rolling back asks for a sign-off`,
        step.reversible ? { dim: true } : { color: 'yellow' },
      ),
    ]);
  }
  return lines;
}

function problem(args: DetailArgs, step: StepState): Line[] {
  const { width, theme } = args;
  const lines: Line[] = [];
  if (step.error && (step.status === 'failed' || step.status === 'interrupted')) {
    lines.push(...wrapped(step.error, width, { color: 'red' }).slice(0, 4));
  }
  if (step.status === 'failed' && step.retryInMs !== undefined) {
    lines.push([seg(`retrying in ${formatDuration(step.retryInMs)}`, { color: 'yellow' })]);
  }
  if (step.status === 'interrupted') {
    lines.push(...wrapped('interrupted: it may have partly run', width, { color: 'yellow' }));
  }
  if (step.status === 'failed' && isCheckDetails(step.details)) {
    lines.push(...expectedActualLines(step.details, width, theme));
  } else if (step.status === 'failed' && step.details) {
    for (const [key, value] of Object.entries(step.details).slice(0, 4)) {
      lines.push([seg(`${key}: `, { dim: true }), seg(describeValue(value))]);
    }
  }
  return lines;
}

function clipHead(lines: Line[], n: number, theme: Theme): Line[] {
  if (lines.length <= n) return lines;
  if (n <= 1) return lines.slice(0, n);
  return [
    ...lines.slice(0, n - 1),
    [seg(`${theme.glyphs.ellipsis} ${lines.length - n + 1} more lines`, { dim: true })],
  ];
}

// The detail pane of a step, exactly `height` lines: state, point-of-no-return warning,
// progress, error and expected vs actual, records (confirmation, sign-off, skip, probe,
// rollback), then description, what will run, and as much of the live output as fits.
export function stepDetailLines(args: DetailArgs & { stepId: string }): Line[] {
  const { view, width, height, theme } = args;
  const step = view.run.steps[args.stepId];
  const def = findStep(view.runbook.runbook, args.stepId);
  const active = running(step);

  const fixed: Line[] = [statusLine(args, step)];
  if (step.pointOfNoReturn) {
    const text =
      step.status === 'succeeded'
        ? 'past the point of no return: rolling back now needs more than reversing steps'
        : 'point of no return: after this step, rolling back needs more than reversing steps';
    fixed.push(...wrapped(`${theme.glyphs.warning} ${text}`, width, { color: 'red', bold: true }));
  }
  if (step.kind === 'backfill' && (step.status !== 'pending' || step.batches.count > 0)) {
    fixed.push(...backfillProgressLines({ step, live: view.live.backfill[step.id], width, theme }));
  } else if (step.kind === 'soak') {
    fixed.push(...soakLines(step, args.now, theme));
  } else if (active && step.progress) {
    fixed.push([seg(step.progress.message, { color: 'cyan' })]);
  }
  fixed.push(...problem(args, step));
  if (step.summary && step.status === 'succeeded')
    fixed.push(...wrapped(step.summary, width, { dim: true }).slice(0, 2));
  fixed.push(...records(args, step));

  const description = def?.description ? wrapped(markdownToText(def.description), width) : [];
  const manual = step.kind === 'manual';
  const previewText = view.preview[step.id] ?? def?.manual ?? '';
  const previewBody: Line[] = manual
    ? wrapped(markdownToText(previewText), width, {}, '  ')
    : previewText
        .split('\n')
        .filter((l, i, all) => l.trim() !== '' || (i > 0 && i < all.length - 1))
        .map((l) => [seg(`  ${l}`, { color: 'cyan' })]);
  const previewLabel = manual
    ? 'instruction:'
    : step.status === 'pending'
      ? 'will run:'
      : active
        ? 'running:'
        : 'ran:';
  // An empty tail of a step that ended says nothing: the log file line is shown instead.
  const kept = view.live.output[step.id];
  const tail = kept && (kept.total > 0 || active) ? kept : undefined;
  const outputBody: Line[] = (tail?.lines ?? []).map((l) => [seg(l)]);
  const outputTitle = tail ? `output${theme.glyphs.separator}${formatCount(tail.total)} lines` : undefined;
  const logLine: Line | undefined = !tail && step.log ? [seg(`log: ${step.log}`, { dim: true })] : undefined;

  const room = Math.max(0, height - fixed.length);
  const demands = {
    description: { want: description.length, min: active ? 1 : 3 },
    preview: { want: previewBody.length ? previewBody.length + 1 : 0, min: active ? 3 : 4 },
    output: { want: tail ? outputBody.length + 1 : logLine ? 1 : 0, min: active ? 6 : 3 },
  };
  const order = active
    ? (['output', 'preview', 'description'] as const)
    : (['description', 'preview', 'output'] as const);
  const given = allocateRows(
    room,
    order.map((k) => demands[k]),
  );
  const share = Object.fromEntries(order.map((k, i) => [k, given[i]])) as Record<
    (typeof order)[number],
    number
  >;

  const lines: Line[] = fixed.slice(0, height);
  lines.push(...clipHead(description, share.description, theme));
  if (share.preview > 0) {
    lines.push([seg(previewLabel, { dim: true })]);
    lines.push(...clipHead(previewBody, share.preview - 1, theme));
  }
  if (share.output > 0) {
    if (outputTitle) {
      lines.push(titledRule([seg(outputTitle, { dim: true })], width, theme));
      lines.push(...outputBody.slice(Math.max(0, outputBody.length - (share.output - 1))));
    } else if (logLine) {
      lines.push(logLine);
    }
  }
  const out = lines.slice(0, height).map((line) => fitLine(line, width, { ascii: theme.ascii }));
  while (out.length < height) out.push([]);
  return out;
}
