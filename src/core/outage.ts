import { messageOf } from './failure.js';
import type { Logger } from './logger.js';

/**
 * Reports a store outage once, not once per poll or attempt: the first failure
 * logs what failed and that the worker keeps retrying; recovery logs once.
 */
export class OutageReporter {
  private since: number | undefined;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  failed(op: string, err: unknown, fields?: Record<string, unknown>): void {
    const message = messageOf(err);
    if (this.since === undefined) {
      this.since = Date.now();
      this.log.error(
        `${this.what} failed during ${op}: ${message}. The worker keeps running and retries; ` +
          `accepted messages stay in the store and nothing is acknowledged until it is back.`,
        { ...fields, err },
      );
    } else {
      this.suppressed++;
    }
  }

  ok(): void {
    if (this.since === undefined) return;
    this.log.warn(`${this.what} is reachable again after ${Date.now() - this.since} ms (${this.suppressed} further failures not logged)`);
    this.since = undefined;
    this.suppressed = 0;
  }

  get down(): boolean {
    return this.since !== undefined;
  }
}
