import type { StepwiseError } from './stepwise-error.js';

// Some failures leave nothing safe to do but stop: a journal that cannot be written (the run would
// go on unrecorded). The program's entry point says how to stop (print the message, release what
// the process holds by exiting); until one does, the error is thrown like any other.
let stop: ((error: StepwiseError) => void) | undefined;

export function onFatal(handler: (error: StepwiseError) => void): void {
  stop = handler;
}

export function fatal(error: StepwiseError): never {
  stop?.(error);
  throw error;
}
