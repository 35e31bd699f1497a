const firstMs = 1000;
const maxMs = 60_000;

// Waits after a lock timeout: 1 s, 2 s, 4 s … up to 60 s; reset once a batch gets through.
export class LockBackoff {
  private failures = 0;

  nextDelayMs(): number {
    const delay = Math.min(maxMs, firstMs * 2 ** this.failures);
    this.failures++;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}
