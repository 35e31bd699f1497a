const windowSize = 64 * 1024;

// Tests a regular expression against output as it streams, keeping only a bounded window of the
// latest text so a match may span chunks without holding the whole output.
export class OutputMatcher {
  private window = '';
  matched = false;

  constructor(private readonly pattern: RegExp) {}

  push(text: string): void {
    if (this.matched) return;
    const data = this.window + text;
    if (this.pattern.test(data)) {
      this.matched = true;
      this.window = '';
      return;
    }
    this.window = data.length > windowSize ? data.slice(-windowSize) : data;
  }
}
