import { useState } from 'react';
import type { DialogText } from '../dialog.js';
import { useTextInput } from '../hooks/use-text-input.js';
import { useTheme } from '../hooks/use-theme.js';
import { dialogTextLines } from '../lines/dialog-text-lines.js';
import { inputLine } from '../lines/input-line.js';
import { type Line, seg } from '../styled-line.js';
import { DialogFrame } from './dialog-frame.js';

// `confirm: "phrase"`: the step runs only when the phrase is typed exactly.
export function PhraseDialog(props: {
  text: DialogText;
  phrase: string;
  width: number;
  height: number;
  onMatch: (phrase: string) => void;
  onCancel: () => void;
}) {
  const theme = useTheme();
  const [mismatch, setMismatch] = useState(false);
  const input = useTextInput({
    onSubmit: (value) => {
      if (value === props.phrase) return props.onMatch(value);
      setMismatch(true);
      input.clear();
    },
    onCancel: props.onCancel,
    onChange: () => setMismatch(false),
  });
  const controls: Line[] = [
    [],
    [seg(' Type '), seg(props.phrase, { bold: true, color: 'yellow' }), seg(' exactly to go on:')],
    inputLine(input.value, props.width, theme),
    mismatch
      ? [
          seg(
            ` ${theme.glyphs.status.failed} that does not match; nothing ran. Type it again, or escape to cancel`,
            { color: 'red', bold: true },
          ),
        ]
      : [seg(' enter confirms · escape cancels', { dim: true })],
  ];
  const room = props.height - 1 - controls.length;
  return (
    <DialogFrame
      title={props.text.title}
      danger={props.text.danger}
      width={props.width}
      height={props.height}
      content={dialogTextLines(props.text, props.width, room, theme)}
      controls={controls}
    />
  );
}
