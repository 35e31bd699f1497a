import { describe, expect, it } from 'vitest';
import { OutputTail } from '../../src/engine/output-tail.js';

describe('the output tail a step shows', () => {
  it('counts every line but keeps only the last ones, whole', () => {
    const tail = new OutputTail(3);
    const text = Array.from({ length: 50_000 }, (_, i) => `line ${i + 1}\n`).join('');
    // Chunks cut anywhere, as a pipe delivers them.
    for (let at = 0; at < text.length; at += 4093) tail.push(Buffer.from(text.slice(at, at + 4093)));
    expect(tail.snapshot()).toEqual({ lines: ['line 49998', 'line 49999', 'line 50000'], total: 50_000 });
  });

  it('shows a line still being written, and what a progress bar last drew', () => {
    const tail = new OutputTail();
    tail.push('copying\n\x1b[32m10%\x1b[0m\r20%\r30%');
    expect(tail.snapshot()).toEqual({ lines: ['copying', '30%'], total: 2 });
    tail.push('\r100%\n\tdone\n');
    expect(tail.snapshot()).toEqual({ lines: ['copying', '100%', '  done'], total: 3 });
  });

  it('keeps a multibyte character cut between two chunks', () => {
    const tail = new OutputTail();
    const bytes = Buffer.from('résumé ✔\n');
    tail.push(bytes.subarray(0, 2));
    tail.push(bytes.subarray(2));
    expect(tail.snapshot().lines).toEqual(['résumé ✔']);
  });

  it('hands out the same snapshot until more output arrives', () => {
    const tail = new OutputTail();
    tail.push('one\n');
    const first = tail.snapshot();
    expect(tail.snapshot()).toBe(first);
    tail.push('two\n');
    expect(tail.snapshot()).not.toBe(first);
  });

  it('takes over a tail kept by the process worker and adds later output to it', () => {
    const tail = new OutputTail(3);
    tail.adopt({ lines: ['998', '999', '1000'], total: 1000 });
    tail.push('verified\n');
    expect(tail.snapshot()).toEqual({ lines: ['999', '1000', 'verified'], total: 1001 });
  });
});
