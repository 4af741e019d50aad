import type { EnqueueResult, NewInvocation, PromiseResolution } from '../../ports/store.js';
import type { Docs } from './container.js';
import type { OutboxDoc } from './docs.js';

/** An outbox younger than this is left to the process that committed it. */
const LEFTOVER_AGE_MS = 5_000;

/**
 * Delivers a committed turn's outbox: enqueues its messages (deduplicated by
 * their ids, so a second delivery is harmless), resolves its promises (the
 * first resolution wins, so again harmless), then deletes the outbox document.
 * The committing process does it at once; a full poll of a partition delivers
 * any outbox a crash left behind.
 */
export class Relay {
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly docs: () => Docs,
    private readonly enqueue: (items: NewInvocation[]) => Promise<EnqueueResult[]>,
    private readonly resolve: (r: PromiseResolution) => Promise<boolean>,
  ) {}

  deliver(outbox: OutboxDoc): Promise<EnqueueResult[]> {
    const work = this.run(outbox);
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => {});
    return work;
  }

  private async run(outbox: OutboxDoc): Promise<EnqueueResult[]> {
    const enqueued = outbox.messages.length ? await this.enqueue(outbox.messages) : [];
    for (const r of outbox.resolve) await this.resolve(r);
    await this.docs().delete(outbox.id, outbox.pk);
    return enqueued;
  }

  /** Delivers outboxes older than a few seconds in these partitions: what a crash between commit and delivery left. */
  async leftovers(pks: string[]): Promise<void> {
    const names = pks.map((_, i) => `@p${i}`);
    const rows = await this.docs().query<OutboxDoc>(
      `SELECT * FROM c WHERE c.pk IN (${names.join(', ')}) AND c.type = 'outbox' AND c.createdAt < @before`,
      [...pks.map((value, i) => ({ name: names[i]!, value })), { name: '@before', value: Date.now() - LEFTOVER_AGE_MS }],
    );
    for (const o of rows) await this.deliver(o);
  }

  /** Waits for deliveries under way (on close). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
