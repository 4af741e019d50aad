import type { Logger } from './logger.js';
import { OutageReporter } from './outage.js';
import type { Delivery, Transport, WorkNotice } from '../ports/transport.js';

/** What the relay needs from the engine. */
export interface NoticeHost {
  owns(partition: number): boolean;
  /** Takes the announced work; returns false when it is already finished (ack at once). */
  take(notice: WorkNotice): Promise<boolean>;
  /** The partition of an invocation, for announcing a wake-up; undefined if unknown. */
  partitionOf(invocationId: string): Promise<number | undefined>;
  log: Logger;
}

/**
 * Bridges the engine and a Transport: announces work that another worker owns,
 * consumes the notices of the partitions this worker owns, and acknowledges a
 * notice only once the invocation it announced has committed a turn here.
 */
export class NoticeRelay {
  private readonly unacked = new Map<string, Delivery[]>();
  private consuming = '';
  private closed = false;
  private syncing: Promise<void> = Promise.resolve();
  private readonly outage: OutageReporter;

  constructor(
    private readonly transport: Transport,
    private readonly host: NoticeHost,
  ) {
    this.outage = new OutageReporter(host.log, `the ${transport.name} transport`);
  }

  start(): Promise<void> {
    return this.transport.start({ logger: this.host.log });
  }

  /** Consumes exactly the given partitions from now on (serialized; latest set wins). */
  partitionsChanged(partitions: readonly number[]): void {
    const key = partitions.join(',');
    this.syncing = this.syncing.then(async () => {
      if (key === this.consuming || this.closed) return;
      this.consuming = key;
      for (const [id, list] of this.unacked) {
        if (!list.some((d) => partitions.includes(d.notice.partition))) this.unacked.delete(id);
      }
      try {
        // Inside try: a transport may throw synchronously, and nothing awaits this chain.
        await this.transport.consume(partitions, (d) => void this.onDelivery(d));
      } catch (err) {
        this.consuming = '';
        // Closing the transport fails a consume in flight ("Connection is closed"): that is the stop, not a fault.
        if (this.closed) return;
        this.host.log.warn(`transport ${this.transport.name}: consuming partitions failed (${(err as Error).message}); the store poll covers them meanwhile`);
      }
    });
  }

  /** Tells the owners of these partitions that work is waiting (fire and forget: the poll is the safety net). */
  announce(notices: WorkNotice[]): void {
    const remote = notices.filter((n) => !this.host.owns(n.partition));
    if (remote.length === 0) return;
    this.transport.publish(remote).then(
      () => this.outage.ok(),
      (err: Error) => this.closed || this.outage.failed(`publishing ${remote.length} notice(s) (their owners find the work on their next poll)`, err),
    );
  }

  /** Wakes the owner of the invocation a resolved promise belongs to. */
  announceOwner(invocationId: string | undefined): void {
    if (!invocationId) return;
    this.host
      .partitionOf(invocationId)
      .then((partition) => {
        if (partition !== undefined) this.announce([{ partition, invocationId }]);
      })
      .catch(() => {});
  }

  /** The invocation committed a turn here: acknowledge the notices that announced it. */
  settled(invocationId: string): void {
    const list = this.unacked.get(invocationId);
    if (!list) return;
    this.unacked.delete(invocationId);
    for (const d of list) void d.ack().catch(() => {});
  }

  private async onDelivery(d: Delivery): Promise<void> {
    const { notice } = d;
    if (!this.host.owns(notice.partition)) return; // not ours (any more): the transport redelivers it to the owner
    const list = this.unacked.get(notice.invocationId) ?? [];
    list.push(d);
    this.unacked.set(notice.invocationId, list);
    try {
      if (!(await this.host.take(notice))) this.settled(notice.invocationId);
    } catch (err) {
      if (this.closed) return;
      this.host.log.warn(`transport ${this.transport.name}: notice for ${notice.invocationId}: ${(err as Error).message}`, { transport: this.transport.name, invocationId: notice.invocationId, partition: notice.partition, err });
    }
  }

  close(): Promise<void> {
    this.closed = true;
    this.unacked.clear();
    return this.transport.close();
  }
}
