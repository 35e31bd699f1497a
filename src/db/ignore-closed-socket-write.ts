// postgres.js 3.4 defers a small write with setImmediate; when the server closes the connection
// in between (a restart, pg_terminate_backend), the deferred write finds no socket and throws
// "Cannot read properties of null (reading 'write')" outside any promise, which would end the
// process with a stack trace (porsager/postgres#1154, fix proposed in #1168). The queries of that
// connection fail on their own with a connection error, so this one exception is dropped; any
// other goes on as Node would take it.
let installed = false;

export function isClosedSocketWrite(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /reading 'write'/.test(error.message) &&
    /nextWrite[^\n]*postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
  );
}

export function ignoreClosedSocketWrite(): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', function dropClosedSocketWrite(error) {
    if (isClosedSocketWrite(error)) return;
    // Another handler (the engine process logs) takes everything else; alone, Node's default.
    if (process.listenerCount('uncaughtException') > 1) return;
    process.removeListener('uncaughtException', dropClosedSocketWrite);
    throw error;
  });
}
