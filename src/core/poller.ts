import type { OutageReporter } from './outage.js';
import type { InvocationRecord, Store } from '../ports/store.js';

/** How often a poll reads its partitions from wake sequence 0 rather than from the last one seen. */
const FULL_SCAN_INTERVAL_MS = 5000;
const PAGE = 1000;

/** What finding work in the store needs from the engine. */
export interface PollerHost {
  readonly store: Store;
  readonly outage: OutageReporter;
  /** Puts a pending record in its mailbox; repeats and finished ones are ignored. */
  dispatch(rec: InvocationRecord): void;
  /** Whether this worker still holds `partition` and is running. */
  holds(partition: number): boolean;
}

/**
 * Finds pending work in the store: a newly owned partition's whole backlog
 * (`recover`), and on every poll what was enqueued or woken since the last one
 * by other processes or by timers. The transport's notices make most work
 * arrive sooner; this is the safety net that never misses any.
 */
export class StorePoller {
  private lastWakeSeq = 0;
  private lastFullScan = Date.now();
  private polling = false;

  constructor(private readonly host: PollerHost) {}

  /** Loads a newly owned partition's unfinished work; retried until it succeeds or the partition is lost. */
  async recover(partition: number): Promise<void> {
    for (let wait = 100; this.host.holds(partition); wait = Math.min(wait * 2, 5000)) {
      try {
        let after = 0;
        for (;;) {
          const page = await this.host.store.pollPending([partition], after, PAGE);
          for (const rec of page) this.host.dispatch(rec);
          if (page.length < PAGE) return;
          after = page[page.length - 1]!.wakeSeq;
        }
      } catch (err) {
        this.host.outage.failed(`recovery of partition ${partition}`, err);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** One poll of the partitions this worker owns; a poll still running makes this one a no-op. */
  async poll(owned: readonly number[]): Promise<void> {
    if (this.polling || owned.length === 0) return;
    this.polling = true;
    try {
      // Wake sequence numbers are taken before commit, so on a store with concurrent
      // writers (PostgreSQL) a lower one can become visible after a higher one was
      // read. A periodic rescan from zero catches those; dispatch ignores repeats.
      const full = Date.now() - this.lastFullScan > FULL_SCAN_INTERVAL_MS;
      let after = full ? 0 : this.lastWakeSeq;
      for (;;) {
        const page = await this.host.store.pollPending(owned, after, PAGE);
        for (const rec of page) {
          this.lastWakeSeq = Math.max(this.lastWakeSeq, rec.wakeSeq);
          this.host.dispatch(rec);
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.wakeSeq;
      }
      if (full) this.lastFullScan = Date.now();
      this.host.outage.ok();
    } finally {
      this.polling = false;
    }
  }
}
