import { useState } from 'react';
import type { DialogText } from '../dialog.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTheme } from '../hooks/use-theme.js';
import { choiceLine, dialogTextLines } from '../lines/dialog-text-lines.js';
import { DialogFrame } from './dialog-frame.js';

// Yes or no. `y` says yes, `n` or escape no; enter takes the focused choice, which starts on no.
export function ConfirmDialog(props: {
  text: DialogText;
  width: number;
  height: number;
  onYes: () => void;
  onNo: () => void;
}) {
  const theme = useTheme();
  const [focus, setFocus] = useState(0);
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (input === 'y' || input === 'Y') return props.onYes();
    if (input === 'n' || input === 'N' || key.escape) return props.onNo();
    if (key.leftArrow || key.rightArrow || key.tab) return setFocus((f) => 1 - f);
    if (key.return) return focus === 1 ? props.onYes() : props.onNo();
  });
  const controls = [[], choiceLine(['no', 'yes'], focus, theme)];
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
