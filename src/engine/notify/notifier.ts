import type { EventPayload } from '../../journal/events.js';
import type { NotifyRule } from '../../runbook/schema.js';
import type { Notification } from './notification-for.js';

export interface NotifierSetup {
  rules: NotifyRule[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  run: { id: string; runbook: string; operator: string };
  // Masks the run's secrets in everything sent and journaled.
  mask: (text: string) => string;
  // Fills `{{ }}` templates of one argv element (no shell).
  render: (template: string) => string;
  append: (payload: EventPayload) => void;
}

const timeoutMs = 15_000;

function firstLine(text: string): string {
  return text.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}

// Tells the runbook's `notify:` commands and webhooks of a run's moments. A notification never
// stops or fails the run: one that cannot be delivered is journaled (notify.failed) and that is all.
export class Notifier {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly setup: NotifierSetup) {}

  send(n: Notification): void {
    for (const rule of this.setup.rules) {
      if (!rule.on.includes(n.event)) continue;
      const text = this.setup.mask(`stepwise ${this.setup.run.id} (${this.setup.run.runbook}): ${n.text}`);
      const sending = this.deliver(rule, { ...n, text }).catch((error: unknown) => {
        const target = rule.run ? `command ${rule.run[0]}` : `webhook ${rule.webhook?.env}`;
        const url = rule.webhook ? this.setup.env[rule.webhook.env] : undefined;
        let reason = error instanceof Error ? error.message : String(error);
        // fetch says only "fetch failed"; why is in its cause (ECONNREFUSED, a DNS failure).
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
        if (cause) reason = `${reason}: ${cause}`;
        if (url) reason = reason.replaceAll(url, '***');
        try {
          this.setup.append({ type: 'notify.failed', event: n.event, target, error: this.setup.mask(reason) });
        } catch {
          // the journal closed under it: the run is over and nothing is lost
        }
      });
      this.pending.add(sending);
      void sending.finally(() => this.pending.delete(sending));
    }
  }

  // Waits for notifications under way (each has a timeout): a run's last one is delivered before
  // the engine closes its journal.
  async settle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async deliver(rule: NotifyRule, n: Notification): Promise<void> {
    const { run } = this.setup;
    const fields = { event: n.event, text: n.text, run_id: run.id, runbook: run.runbook, step: n.step, phase: n.phase };
    if (rule.run) {
      const { execa } = await import('execa');
      const argv = rule.run.map((a) => this.setup.render(a));
      const env: Record<string, string | undefined> = { ...this.setup.env, STEPWISE_OPERATOR: run.operator };
      for (const [key, value] of Object.entries(fields)) env[`STEPWISE_${key.toUpperCase()}`] = value;
      const result = await execa(argv[0], argv.slice(1), {
        env,
        extendEnv: false,
        cwd: this.setup.cwd,
        stdin: 'ignore',
        reject: false,
        timeout: timeoutMs,
        all: true,
      });
      if (result.failed) {
        const why = result.timedOut ? `timed out after ${timeoutMs / 1000}s` : result.exitCode !== undefined ? `exit ${result.exitCode}` : result.shortMessage;
        throw new Error(`${why}${result.all ? `: ${firstLine(String(result.all))}` : ''}`);
      }
      return;
    }
    const name = rule.webhook!.env;
    const url = this.setup.env[name];
    if (!url) throw new Error(`${name} is not set`);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fields),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  }
}
