import { useState } from 'react';
import type { EngineView } from '../../engine/engine-api.js';
import { readOnlyKinds } from '../../engine/step-rules.js';
import { findStep } from '../find-step.js';
import { formatTimeOfDay } from '../../format/format-time.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTheme } from '../hooks/use-theme.js';
import { type Line, seg } from '../styled-line.js';
import { wrapText } from '../../format/wrap-text.js';
import { DialogFrame } from './dialog-frame.js';

export type InterruptedChoice = 'retry' | 'mark-done' | 'rollback';

const choices: Array<{ key: string; choice: InterruptedChoice; text: string }> = [
  { key: 'r', choice: 'retry', text: 'retry it (asks you to confirm)' },
  { key: 'd', choice: 'mark-done', text: 'mark it done (asks how you know it took effect)' },
  { key: 'b', choice: 'rollback', text: 'roll the run back (shows the plan first)' },
];

// A step that started and never ended: the operator decides what happened to it.
export function InterruptedDialog(props: {
  view: EngineView;
  step: string;
  width: number;
  height: number;
  onChoose: (choice: InterruptedChoice) => void;
  onCancel: () => void;
}) {
  const theme = useTheme();
  const [focus, setFocus] = useState(0);
  useKeys((input, key) => {
    if (key.ctrl) return;
    const picked = choices.find((c) => c.key === input);
    if (picked) return props.onChoose(picked.choice);
    if (key.upArrow || input === 'k') return setFocus((f) => (f + choices.length - 1) % choices.length);
    if (key.downArrow || input === 'j') return setFocus((f) => (f + 1) % choices.length);
    if (key.return) return props.onChoose(choices[focus].choice);
    if (key.escape) return props.onCancel();
  });
  const { view, step, width } = props;
  const state = view.run.steps[step];
  const def = findStep(view.runbook.runbook, step);
  const name = `${view.numbers[step] ?? step} ${state.title}`;
  const wrap = (text: string, style = {}): Line[] =>
    wrapText(text, width - 2).map((t) => [seg(` ${t}`, style)]);
  const started = state.startedAt ? ` started ${formatTimeOfDay(state.startedAt)}` : '';
  const content: Line[] = [
    ...wrap(
      `Attempt ${state.attempts}${started}${state.operator ? ` by ${state.operator}` : ''} never finished: the process stopped while it ran. It may have partly run.`,
      { bold: true },
    ),
    ...wrap(
      [
        readOnlyKinds.has(state.kind)
          ? `It only reads (${state.kind}): running it again is safe.`
          : def?.idempotent
            ? 'It is idempotent: running it again is safe.'
            : 'It is not marked idempotent.',
        state.probe
          ? state.probe.applied
            ? 'Its probe says it had taken effect.'
            : 'Its probe says it had not taken effect.'
          : 'It has no probe to tell whether it took effect.',
      ].join(' '),
    ),
    ...(state.log ? wrap(`log: ${state.log}`, { dim: true }) : []),
  ];
  const controls: Line[] = [
    [],
    ...choices.map(
      (c, i): Line => [
        seg(i === focus ? ` ${theme.glyphs.pointer} ` : '   ', { color: 'cyan', bold: true }),
        seg(c.key, { bold: true, color: 'cyan' }),
        seg(`  ${c.text}`, { bold: i === focus }),
      ],
    ),
    [seg(' escape decides later (the step stays interrupted)', { dim: true })],
  ];
  return (
    <DialogFrame
      title={`Interrupted: ${name}`}
      danger
      width={width}
      height={props.height}
      content={content}
      controls={controls}
    />
  );
}
