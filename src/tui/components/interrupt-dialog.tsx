import type { EngineView } from '../../engine/engine-api.js';
import { formatClock } from '../../format/format-time.js';
import { wrapText } from '../../format/wrap-text.js';
import { useKeys } from '../hooks/use-keys.js';
import { type Line, seg } from '../styled-line.js';
import { DialogFrame } from './dialog-frame.js';

export type InterruptChoice = 'detach' | 'pause-after-step' | 'cancel-step';

// Ctrl+C: the run belongs to its engine, not to this terminal. Detaching (enter, d, or Ctrl+C
// again) leaves it going on with what was asked; p pauses it once the running step has finished
// (at once when none runs); c cancels the running step now and pauses; escape stays.
export function InterruptDialog(props: {
  view: EngineView;
  now: number;
  width: number;
  height: number;
  onChoose: (choice: InterruptChoice) => void;
  onStay: () => void;
}) {
  const { view, width } = props;
  const active = view.live.active;
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (key.return || input === 'd') return props.onChoose('detach');
    if (input === 'p') return props.onChoose('pause-after-step');
    if (input === 'c' && active) return props.onChoose('cancel-step');
    if (key.escape || input === 'n') return props.onStay();
  });
  const name = active ? `${view.numbers[active.step] ?? active.step} ${view.run.steps[active.step]?.title ?? active.step}` : '';
  const text = active
    ? `${name} is running (for ${formatClock(props.now - active.since)}). The run goes on without this screen if you detach: \`stepwise attach\` opens it again from any terminal.`
    : 'Nothing runs now. The run waits for you if you detach: `stepwise attach` opens it again from any terminal.';
  const content = wrapText(text, width - 2).map((t): Line => [seg(` ${t}`)]);
  const key = (k: string) => seg(k, { bold: true, color: 'cyan' });
  const controls: Line[] = [
    [],
    [seg(' '), key('enter'), seg(' / '), key('d'), seg(' / '), key('Ctrl+C'), seg(' detach (the run goes on)')],
    [seg(' '), key('p'), seg(active ? ' pause after this step' : ' pause the run now')],
    ...(active ? [[seg(' '), key('c'), seg(' cancel the step now (its processes are killed) and pause')]] : []),
    [seg(' '), key('esc'), seg(' stay')],
  ];
  return <DialogFrame title="Leave this screen?" width={width} height={props.height} content={content} controls={controls} />;
}
