const enter = '\u001B[?1049h';
const leave = '\u001B[?25h\u001B[?1049l';

// Ink 6 has no alternate screen: entered here, and left on every way out (normal return,
// error, abort, process exit). Returns the idempotent way back.
export function enterAlternateScreen(stdout: NodeJS.WriteStream): () => void {
  stdout.write(enter);
  let left = false;
  const restore = () => {
    if (left) return;
    left = true;
    process.off('exit', restore);
    try {
      stdout.write(leave);
    } catch {
      // The terminal is gone (hang-up): nothing left to restore.
    }
  };
  process.once('exit', restore);
  return restore;
}
