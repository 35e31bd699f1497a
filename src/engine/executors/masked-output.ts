export interface MaskedOutput {
  write(text: string): void;
  // Writes what is held back (at the end of the stream).
  end(): void;
}

const quietMs = 200;
const maxHeld = 64 * 1024;

// Step output masked chunk by chunk at full speed. A secret could straddle two chunks, so the text
// after the last line break is held back until the next chunk, the end, or a short quiet spell
// (a progress line without a newline still shows).
export function maskedOutput(mask: (text: string) => string, emit: (text: string) => void): MaskedOutput {
  let held = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (held) emit(mask(held));
    held = '';
  };
  return {
    write(text) {
      const data = held + text;
      const cut = Math.max(data.lastIndexOf('\n'), data.lastIndexOf('\r')) + 1;
      if (cut > 0) emit(mask(data.slice(0, cut)));
      held = data.slice(cut);
      if (held.length > maxHeld) flush();
      if (!held) {
        if (timer) clearTimeout(timer);
        timer = undefined;
      } else if (timer) {
        timer.refresh();
      } else {
        timer = setTimeout(flush, quietMs);
        timer.unref();
      }
    },
    end: flush,
  };
}
