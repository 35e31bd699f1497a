import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';

export interface OutputPipe {
  // Blocking ends of one pipe, with no name left on disk.
  read: number;
  write: number;
}

// Node makes no pipe of its own (a child's 'pipe' is a socket its event loop must read), so a
// named one is made in a private directory, opened at both ends and unlinked at once.
function openFifo(dir: string): OutputPipe {
  const path = join(dir, 'output');
  try {
    // A fifo opened for writing needs a reader: this one does not wait for a writer.
    const probe = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const write = openSync(path, constants.O_WRONLY);
      return { read: openSync(path, constants.O_RDONLY), write };
    } finally {
      closeSync(probe);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fifoDir = () => mkdtempSync(join(tmpdir(), 'stepwise-'));

async function makePipe(): Promise<OutputPipe> {
  const dir = fifoDir();
  try {
    await execa('mkfifo', ['-m', '600', join(dir, 'output')]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return openFifo(dir);
}

function makePipeNow(): OutputPipe {
  const dir = fifoDir();
  try {
    execaSync('mkfifo', ['-m', '600', join(dir, 'output')]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return openFifo(dir);
}

// One pipe made ahead, so that a command does not wait for mkfifo to start.
let spare: OutputPipe | undefined;
let making = false;

export function makeSparePipe(): void {
  if (spare || making) return;
  making = true;
  makePipe()
    .then((pipe) => (spare = pipe))
    // The next command makes its own, and says why it cannot.
    .catch(() => {})
    .finally(() => (making = false));
}

// A pipe for a command's output; the caller owns both ends.
export function takePipe(): OutputPipe {
  const pipe = spare ?? makePipeNow();
  spare = undefined;
  makeSparePipe();
  return pipe;
}
