import { EventEmitter } from 'node:events';
import stripAnsi from 'strip-ansi';

// The two ends of a terminal for runTui and promptVars: what they write is kept; keys are typed
// into stdin the way a raw-mode terminal delivers them.
export class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  columns = 100;
  rows = 30;
  readonly writes: string[] = [];

  write(data: string, callback?: () => void): boolean {
    this.writes.push(data);
    callback?.();
    return true;
  }

  get output(): string {
    return this.writes.join('');
  }

  get text(): string {
    return stripAnsi(this.output);
  }
}

export class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  private queue: string[] = [];
  rawMode = false;

  type(data: string): void {
    this.queue.push(data);
    this.emit('readable');
  }

  read(): string | null {
    return this.queue.shift() ?? null;
  }

  setRawMode(on: boolean): void {
    this.rawMode = on;
  }

  setEncoding(): void {}
  ref(): void {}
  unref(): void {}
  resume(): void {}
  pause(): void {}
}

export function fakeTerminal() {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  return {
    stdout,
    stdin,
    io: { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream },
  };
}
