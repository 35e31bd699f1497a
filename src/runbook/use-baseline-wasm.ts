import { setFlagsFromString } from 'node:v8';

// V8 flags that keep WebAssembly on its baseline compiler (Liftoff). stepwise runs two large
// WebAssembly modules, PGlite and PostgreSQL's parser. By default V8 also recompiles their hot
// functions with its optimizing compiler on background threads, and a short command waits for
// those compiles before it exits. Measured on this project's 2-core machine: opening PGlite took
// 1.4 s of CPU and 340 MB with the optimizing tier, 0.9 s and 255 MB without; a million rows
// inserted and compared in PGlite cost the same CPU either way.
export const baselineWasmFlags = ['--no-wasm-tier-up', '--no-wasm-dynamic-tiering'] as const;

// Must run before a WebAssembly module is compiled: called where each is loaded (pg-parser.ts,
// db/pglite-connection.ts), so a command that loads neither does not load node:v8 either.
export function useBaselineWasm(): void {
  setFlagsFromString(baselineWasmFlags.join(' '));
}
