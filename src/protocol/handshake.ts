// What client and engine share before any message is checked, with no schema library: a
// client's process (a screen) loads this, not the schemas of messages.ts.

// The version of the protocol in messages.ts; a change to any message bumps it.
// Version 2: the drive intent takes phrases and a soak to end, driveRollback, logPage, stopped.
export const protocolVersion = 3;

// The file a client creates to prove which Unix user it is: named after the nonce the engine
// sent to it alone.
export function proofFileName(nonce: string): string {
  return `proof-${nonce}`;
}
