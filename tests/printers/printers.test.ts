import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJsonPrinter } from '../../src/cli/json-printer.js';
import { createPlainPrinter, type PlainPrinterOptions } from '../../src/cli/plain-printer.js';
import type { EventPayload, JournalEvent } from '../../src/journal/events.js';
import { reduce, replay } from '../../src/journal/reducer.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { type RecordedRun, recordRun } from '../journal/recorded-run.js';

const utf8 = { LANG: 'en_US.UTF-8' };

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
  get lines(): string[] {
    return this.text.split('\n').slice(0, -1);
  }
}

function printAll(
  events: JournalEvent[],
  options: Partial<PlainPrinterOptions> = {},
  out = new Capture(),
): Capture {
  const print = createPlainPrinter(out, { tail: () => [], env: utf8, ...options });
  let run = options.run;
  for (const e of events) {
    run = reduce(run, e);
    print(e, run);
  }
  return out;
}

let recorded: RecordedRun;

beforeAll(() => {
  // Times of day are printed in the operator's zone; the recorded night is in UTC.
  process.env.TZ = 'UTC';
  recorded = recordRun(tempStateDir('stepwise-printer-'));
});

function at(seconds: number, seq: number, payload: EventPayload): JournalEvent {
  const ts = new Date(Date.parse('2026-11-23T02:00:00Z') + seconds * 1000).toISOString();
  return { ...payload, seq, ts, prev: '', hash: '' } as JournalEvent;
}

describe('the plain printer', () => {
  it('prints one line per event that a person can read at 2 a.m.', () => {
    const { lines } = printAll(recorded.events);
    expect(lines).toContain('[02:01:14] ✔ 2.1 create-queue  succeeded in 1.2s · 0 rows');
    expect(lines).toContain('[02:00:14] ▸ 1.1 backup  Back up the task tables');
    expect(lines).toContain('[02:00:15] ✔ 1.1 backup  succeeded in 1.2s · exit 0');
    expect(lines).toContain(
      '[02:00:16] ✖ 1.2 no-orphans  failed after 80ms: check failed: n is 3, expected 0; retrying in 5.0s',
    );
    expect(lines).toContain('           expected n = 0');
    expect(lines).toContain('           actual   n = 3');
    expect(lines).toContain(
      '[02:01:08] ✎ gate of Pre-migration signed off by bob@bastion (2 of 2): looks good',
    );
    expect(lines).toContain('[02:01:08] ◆ gate of Pre-migration passed');
    expect(lines).toContain('[02:01:13] ✎ 2.1 create-queue  confirmed by alice@bastion');
    expect(lines).toContain('[02:11:16] ▶ resumed by bob@bastion on bastion; accepted drift in drain');
    expect(lines).toContain('[02:11:17] ? 2.2 copy-tasks  probe: the step had not taken effect');
    expect(lines).toContain(
      '[02:11:19] ✔ 2.2 copy-tasks  succeeded in 1.1s · 9,990 rows copied, 10 skipped in 4 batches',
    );
    expect(lines).toContain('[02:11:23] ▸ 3.1 stop-intake  Stop intake (manual)');
    expect(lines).toContain('[02:11:53] ✔ 3.1 stop-intake  signed off by bob@bastion: worker at 0 replicas');
    expect(lines).toContain('[02:11:54] ↷ 3.2 drain  skipped by bob@bastion: no task was running');
    expect(lines).toContain('[02:11:55] ‖ paused: operator quit');
    expect(lines).toContain(
      '[02:16:57] ✖ 2.2 copy-tasks  rollback failed after 1.0s: lock timeout on task_queue',
    );
    expect(lines).toContain('[02:17:04] ↺ 2.1 create-queue  rolled back in 300ms');
    expect(lines).toContain(
      '[02:16:55] ↺ 3.1 stop-intake  irreversible, passed with a sign-off by alice@bastion: worker scaled back up',
    );
    expect(lines).toContain('[02:17:05] ■ run rolled back after 16m52s');
    expect(lines.some((l) => l.includes('── 2 Dual-write'))).toBe(true);
  });

  it('shows step output only for a failure: the last lines of that step', () => {
    const tail = (step: string) => [`tail of ${step}`];
    const { lines } = printAll(recorded.events, { tail });
    const quoted = lines.filter((l) => l.includes('tail of'));
    expect(quoted).toEqual(['           │ tail of no-orphans', '           │ tail of copy-tasks']);
  });

  it('prints at most one batch line per second, and always the final count', () => {
    const events = [
      recorded.events[0],
      at(0, 2, { type: 'step.started', step: 'copy-tasks', attempt: 1, operator: 'a', log: '' }),
    ];
    for (let i = 1; i <= 50; i++) {
      events.push(
        at(i / 10, 2 + i, {
          type: 'batch.committed',
          step: 'copy-tasks',
          batch: i,
          lo: (i - 1) * 100,
          hi: i * 100,
          rows: 100,
          skipped: 0,
          size: 100,
          duration_ms: 90,
        }),
      );
    }
    events.push(at(5.05, 60, { type: 'step.succeeded', step: 'copy-tasks', attempt: 1, duration_ms: 5050 }));
    const batchLines = printAll(events).lines.filter((l) => l.includes(' batch '));
    expect(batchLines.length).toBeLessThanOrEqual(7);
    expect(batchLines[0]).toBe('[02:00:00] · 2.2 copy-tasks  batch 1 · 100 rows so far · up to 100 · 90ms');
    expect(batchLines.at(-1)).toBe(
      '[02:00:05] · 2.2 copy-tasks  batch 50 · 5,000 rows so far · up to 5000 · 90ms',
    );
  });

  it('numbers the steps of a run it joins midway, and says where the run stands', () => {
    const resumedAt = recorded.events.findIndex((e) => e.type === 'run.resumed');
    const run = replay(recorded.events.slice(0, resumedAt + 1))!;
    const { lines } = printAll(recorded.events.slice(resumedAt + 1, resumedAt + 3), { run });
    expect(lines[0]).toBe(`[02:11:16] ▶ queue-migration · run ${run.runId} · alice@bastion, bob@bastion`);
    expect(lines).toContain('           app → postgres://app@db-prod:5432/app  PRODUCTION');
    expect(lines).toContain('           3/9 steps done');
    expect(lines).toContain('           2.2 copy-tasks was interrupted');
    expect(lines).toContain('[02:11:17] ? 2.2 copy-tasks  probe: the step had not taken effect');
    expect(lines).toContain('[02:11:18] ▸ 2.2 copy-tasks  Copy tasks  (attempt 2)');
  });

  it('falls back to ASCII when the locale is not UTF-8', () => {
    const { text } = printAll(recorded.events, { env: { LANG: 'C' } });
    expect(text).toMatch(/^[\x00-\x7f]*$/);
    expect(text).toContain('[02:01:14] + 2.1 create-queue  succeeded in 1.2s | 0 rows');
    expect(text).toContain('x 1.2 no-orphans  failed after 80ms');
  });

  it('colours only a terminal, and never with NO_COLOR', () => {
    expect(printAll(recorded.events, {}, new Capture(false)).text).not.toContain('\x1b[');
    expect(printAll(recorded.events, {}, new Capture(true)).text).toContain('\x1b[32m✔\x1b[0m');
    expect(
      printAll(recorded.events, { env: { ...utf8, NO_COLOR: '1' } }, new Capture(true)).text,
    ).not.toContain('\x1b[');
  });

  it('goes quiet, without throwing, when its reader goes away', () => {
    let writes = 0;
    const closed = new Writable({
      write(_chunk, _enc, done) {
        writes++;
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const print = createPlainPrinter(closed, { tail: () => [], env: utf8 });
    expect(() => {
      for (const e of recorded.events) print(e);
    }).not.toThrow();
    expect(writes).toBeLessThan(5);
  });
});

describe('the JSON printer', () => {
  it('prints the events exactly as they were journaled, one per line', () => {
    const out = new Capture();
    const print = createJsonPrinter(out);
    for (const e of recorded.events) print(e);
    expect(out.text).toBe(readFileSync(recorded.journalPath, 'utf8'));
  });
});

describe.each(['plain', 'json'])('the %s printer piped into head', (mode) => {
  it('stops quietly when head has read enough', async () => {
    const root = resolve(import.meta.dirname, '..', '..');
    const errFile = join(tempStateDir('stepwise-epipe-'), 'stderr.txt');
    const result = await execa(
      'sh',
      ['-c', `node --import tsx tests/printers/print-many-events.ts ${mode} 2>"${errFile}" | head -n 1`],
      { cwd: root, reject: false },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toHaveLength(1);
    expect(readFileSync(errFile, 'utf8')).toBe('done\n');
  });
});
