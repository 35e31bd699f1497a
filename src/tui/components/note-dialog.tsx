import { useState } from 'react';
import type { DialogText } from '../dialog.js';
import { useTextInput } from '../hooks/use-text-input.js';
import { useTheme } from '../hooks/use-theme.js';
import { dialogTextLines } from '../lines/dialog-text-lines.js';
import { inputLine } from '../lines/input-line.js';
import { type Line, seg } from '../styled-line.js';
import { DialogFrame } from './dialog-frame.js';

// Sign-offs (optional note), skip reasons and mark-done notes (required). A sign-off says who
// signs beside the keys that sign.
export function NoteDialog(props: {
  text: DialogText;
  label: string;
  required: boolean;
  signer?: string;
  width: number;
  height: number;
  onSubmit: (note: string) => void;
  onCancel: () => void;
}) {
  const theme = useTheme();
  const [missing, setMissing] = useState(false);
  const input = useTextInput({
    onSubmit: (value) => {
      const note = value.trim();
      if (props.required && !note) return setMissing(true);
      props.onSubmit(note);
    },
    onCancel: props.onCancel,
    onChange: () => setMissing(false),
  });
  const controls: Line[] = [
    [],
    [seg(` ${props.label}:`)],
    inputLine(input.value, props.width, theme),
    missing
      ? [
          seg(` ${theme.glyphs.warning} ${props.label.replace(/ \(.*\)$/, '')} is required`, {
            color: 'red',
            bold: true,
          }),
        ]
      : props.signer
        ? [seg(' you sign as '), seg(props.signer, { color: 'cyan', bold: true }), seg(': enter signs · escape cancels', { dim: true })]
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
