import { EngineClient } from '../client/engine-client.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { JournalEvent } from '../journal/events.js';
import { type RunState, reduce } from '../journal/reducer.js';
import type { Intent } from '../protocol/messages.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { createJsonPrinter } from './json-printer.js';
import { createPlainPrinter, type EventPrinter } from './plain-printer.js';

export interface HeadlessClientOptions {
  stateDir: string;
  runId: string;
  mode: 'plain' | 'json';
  // --operator: shown beside the Unix user the engine verifies.
  operator?: string;
  // What the engine is asked to do: drive the run on, or roll it back.
  drive: Extract<Intent, { intent: 'drive' | 'driveRollback' }>;
}

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// How many output lines of a failed step --plain shows.
const tailLines = 20;

// `--plain` and `--json` as clients of the run's engine process: they print the run's events as
// the engine journals them (--json every event from the first, --plain from the state it finds),
// ask the engine to drive, and exit with the code the drive ends with. Ctrl+C, SIGTERM and
// SIGHUP pause the run: the running step is cancelled, the journal records the pause, exit 130.
export async function driveHeadlessClient(options: HeadlessClientOptions): Promise<ExitCodeValue> {
  const client = await EngineClient.connect({
    stateDir: options.stateDir,
    runId: options.runId,
    role: 'operator',
    display: options.operator ?? process.env.STEPWISE_OPERATOR,
  });
  const say = (text: string) => process.stderr.write(`${text}\n`);
  // A failed step's last lines of output come from its log, asked of the engine: printing
  // waits for them, so the lines stay in the order of the events.
  const tails = new Map<string, string[]>();
  let print: EventPrinter = () => {};
  let printed = Promise.resolve();
  // The run as the plain printer labels it: the snapshot, then each event folded in.
  let run: RunState | undefined;
  const onEvent = (event: JournalEvent) => {
    if (options.mode === 'plain') run = reduce(run, event);
    const after = run;
    printed = printed.then(async () => {
      if (options.mode === 'plain' && (event.type === 'step.failed' || event.type === 'step.rollback_failed')) {
        const page = await client.logPage(event.step, {}, tailLines).catch(() => undefined);
        tails.set(event.step, page?.lines ?? []);
      }
      print(event, after);
    });
  };
  if (options.mode === 'json') {
    print = createJsonPrinter(process.stdout);
    await client.subscribe({ view: () => {}, event: onEvent, say }, 0);
  } else {
    const tail = (step: string) => tails.get(step) ?? [];
    await client.subscribe(
      {
        view: () => {},
        snapshot: (s) => {
          run = s.run;
          print = createPlainPrinter(process.stdout, { tail, run: s.run });
        },
        event: onEvent,
        say,
      },
      0,
      true,
    );
  }

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(ExitCode.interrupted);
    interrupted = true;
    // The drive answers once the cancelled step has stopped and the pause is journaled.
    void client.request({ intent: 'pause', reason: signal }).catch(() => {});
  };
  for (const s of signals) process.on(s, onSignal);
  try {
    const code = (await client.request(options.drive)) as ExitCodeValue;
    return interrupted ? ExitCode.interrupted : code;
  } catch (error) {
    if (interrupted) return ExitCode.interrupted;
    // The engine stopped at once: its exit frees the run lock as its connection closes.
    if (error instanceof StepwiseError && error.kind === 'journal') await client.ended;
    throw error;
  } finally {
    await printed;
    for (const s of signals) process.off(s, onSignal);
    client.close();
  }
}
