import type { EngineView } from '../../engine/engine-api.js';
import { formatClock } from '../../format/format-time.js';
import { useKeys } from '../hooks/use-keys.js';
import { type Line, seg } from '../styled-line.js';
import { wrapText } from '../../format/wrap-text.js';
import { DialogFrame } from './dialog-frame.js';

// Quitting while a step runs cancels the step and pauses the run. Ctrl+C here again quits
// (the App handles it); `y` too; `n` or escape keeps it running.
export function QuitDialog(props: {
  view: EngineView;
  now: number;
  width: number;
  height: number;
  onQuit: () => void;
  onStay: () => void;
}) {
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (input === 'y' || input === 'q') return props.onQuit();
    if (input === 'n' || key.escape) return props.onStay();
  });
  const { view, width } = props;
  const active = view.live.active;
  const name = active
    ? `${view.numbers[active.step] ?? active.step} ${view.run.steps[active.step]?.title ?? active.step}`
    : 'The step';
  const running = active ? ` (running for ${formatClock(props.now - active.since)})` : '';
  const text = active
    ? `${name} is running${running}. Quitting cancels it: its processes are killed and its transaction is rolled back. The run is paused (journaled); \`stepwise resume\` continues it.`
    : 'Nothing runs now. Quitting pauses the run; `stepwise resume` continues it.';
  const content = wrapText(text, width - 2).map((t): Line => [seg(` ${t}`)]);
  const controls: Line[] = [
    [],
    [
      seg(' y', { bold: true, color: 'cyan' }),
      seg(' or '),
      seg('Ctrl+C', { bold: true, color: 'cyan' }),
      seg(' again: cancel and quit · '),
      seg('n', { bold: true, color: 'cyan' }),
      seg(' / escape: keep running'),
    ],
  ];
  return (
    <DialogFrame
      title="Quit while a step runs?"
      danger
      width={width}
      height={props.height}
      content={content}
      controls={controls}
    />
  );
}
