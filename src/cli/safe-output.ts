// Output whose reader may go away (`stepwise run --plain | head`): a closed pipe (EPIPE) ends
// the output quietly instead of crashing the process with a stack trace; the run goes on and
// the journal keeps everything.

export interface SafeOutput {
  write(text: string): void;
  readonly closed: boolean;
}

export function safeOutput(out: NodeJS.WritableStream): SafeOutput {
  let closed = false;
  out.on('error', (error: NodeJS.ErrnoException) => {
    if (!closed && error.code !== 'EPIPE') {
      process.stderr.write(`stepwise: output stopped: ${error.message}\n`);
    }
    closed = true;
  });
  return {
    write(text: string) {
      if (closed) return;
      try {
        out.write(text);
      } catch {
        closed = true;
      }
    },
    get closed() {
      return closed;
    },
  };
}
