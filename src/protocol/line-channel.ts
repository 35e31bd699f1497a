import type { Socket } from 'node:net';

// A line longer than this is refused and dropped: a client cannot make the engine buffer
// without bound.
const maxLineBytes = 1024 * 1024;

export interface LineChannel {
  send(message: object): void;
  // Sends a message already serialised as one JSON line (a message going to many clients is
  // serialised and encoded once).
  sendRaw(line: string | Buffer): void;
  close(): void;
  // A last message, then the connection closes.
  end(message: object): void;
}

// Newline-delimited JSON over a socket. `onLine` gets each complete line as text; `onOverflow`
// when a line passes the limit (the rest of it, up to the next newline, is dropped).
export function lineChannel(
  socket: Socket,
  onLine: (line: string) => void,
  onOverflow: () => void = () => {},
): LineChannel {
  let pending = '';
  let dropping = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    let text = pending + chunk;
    pending = '';
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n')) {
      const line = text.slice(0, at);
      text = text.slice(at + 1);
      if (dropping) dropping = false;
      else if (line.trim()) onLine(line);
    }
    if (dropping) return;
    if (Buffer.byteLength(text) > maxLineBytes) {
      dropping = true;
      onOverflow();
      return;
    }
    pending = text;
  });
  // A peer that went away is not an error for the other side: it just stops hearing.
  socket.on('error', () => {});
  // Lines written in one turn of the event loop (an event and the live state that follows it)
  // leave in one write.
  let corked = false;
  const write = (line: string | Buffer) => {
    if (!socket.writable) return;
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    socket.write(line);
  };
  return {
    send: (message) => write(`${JSON.stringify(message)}\n`),
    sendRaw: write,
    close: () => socket.end(),
    end: (message) => {
      if (socket.writable) socket.end(`${JSON.stringify(message)}\n`);
    },
  };
}
