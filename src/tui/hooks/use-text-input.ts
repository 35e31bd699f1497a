import { useRef, useState } from 'react';
import { useKeys } from './use-keys.js';

export interface TextInput {
  value: string;
  clear(): void;
}

// A one-line text field: printable keys append (pastes too), backspace deletes, ctrl+u clears,
// enter submits, escape cancels. Control keys (ctrl+c among them) are left to other handlers.
// The value lives in a ref as well: keys of one paste arrive before React renders again.
export function useTextInput(options: {
  onSubmit: (value: string) => void;
  onCancel: () => void;
  onChange?: () => void;
  isActive?: boolean;
}): TextInput {
  const current = useRef('');
  const [value, setValue] = useState('');
  const update = (next: string) => {
    current.current = next;
    setValue(next);
    options.onChange?.();
  };
  useKeys((input, key) => {
    if (key.return) return options.onSubmit(current.current);
    if (key.escape) return options.onCancel();
    if (key.backspace || key.delete) return update(Array.from(current.current).slice(0, -1).join(''));
    if (key.ctrl && input === 'u') return update('');
    if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow)
      return;
    const text = input.replace(/[\x00-\x1f\x7f]/g, '');
    if (text) update(current.current + text);
  }, options.isActive ?? true);
  return {
    value,
    clear: () => {
      current.current = '';
      setValue('');
    },
  };
}
