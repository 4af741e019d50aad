import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../../core/logger.js';
import type { Delivery } from '../../ports/transport.js';
import { decodeNotice } from './codec.js';
import { deadLetterQueue, partitionQueue, partitionQueueOptions, type Topology } from './topology.js';

interface Subscription {
  partition: number;
  model: ChannelModel;
  channel: Channel;
  /** False once its channel closed or is being closed: its unacked notices are back in the queue. */
  live: boolean;
}

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * The consumers of the partitions this worker owns, one channel each: dropping
 * a partition closes its channel, which hands exactly that partition's unacked
 * notices back to the broker for the next consumer, and a channel error on one
 * partition leaves the others running.
 *
 * All changes run one at a time through `reconcile()`, which brings the live
 * subscriptions in line with the wanted partitions on the current connection;
 * it runs on `consume()`, on every (re)connection and, with capped backoff,
 * after a channel failed.
 */
export class PartitionConsumers {
  private wanted = new Set<number>();
  private handler: ((delivery: Delivery) => void) | undefined;
  private readonly subs = new Map<number, Subscription>();
  private model: ChannelModel | undefined;
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = MIN_RETRY_MS;
  private closed = false;

  constructor(
    private readonly topology: Topology,
    private readonly prefetch: number,
    private readonly log: Logger,
  ) {}

  /** Consumes exactly these partitions from now on. */
  setTarget(partitions: readonly number[], handler: (delivery: Delivery) => void): Promise<void> {
    this.wanted = new Set(partitions);
    this.handler = handler;
    return this.reconcile();
  }

  /** A new connection is up: subscribe everything wanted on it. */
  attach(model: ChannelModel): void {
    this.model = model;
    void this.reconcile();
  }

  /** The connection died: its channels, and every unacked notice on them, are gone with it. */
  detach(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    for (const s of this.subs.values()) s.live = false;
    this.subs.clear();
  }

  /** Closes every consumer channel, so the broker requeues what was not acked (acks sent before are processed first). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.chain;
    const subs = [...this.subs.values()];
    this.subs.clear();
    await Promise.all(subs.map((s) => this.release(s)));
  }

  private reconcile(): Promise<void> {
    const run = this.chain.then(() => this.apply());
    this.chain = run.catch(() => {});
    return run;
  }

  /** Never throws: a failure is logged and retried later, the store poll covers the gap. */
  private async apply(): Promise<void> {
    if (this.closed) return;
    const model = this.model;
    for (const [p, s] of this.subs) {
      if (s.live && s.model === model && this.wanted.has(p)) continue;
      this.subs.delete(p);
      await this.release(s);
    }
    if (!model) return;
    let failed = false;
    for (const p of this.wanted) {
      if (this.subs.has(p) || this.model !== model || this.closed) continue;
      try {
        this.subs.set(p, await this.subscribe(model, p));
      } catch (err) {
        failed = true;
        if (this.model === model && !this.closed) {
          this.log.warn(`rabbitmq: could not consume queue ${partitionQueue(this.topology.prefix, p)}: ${(err as Error).message}; retrying`);
        }
      }
    }
    if (failed) this.retryLater();
    else this.retryMs = MIN_RETRY_MS;
  }

  private async subscribe(model: ChannelModel, partition: number): Promise<Subscription> {
    const queue = partitionQueue(this.topology.prefix, partition);
    const channel = await model.createChannel();
    const sub: Subscription = { partition, model, channel, live: true };
    channel.on('error', (err: Error) => {
      if (!this.closed) this.log.warn(`rabbitmq: consumer channel of ${queue} failed: ${err.message}`);
    });
    channel.on('close', () => {
      const unexpected = sub.live && !this.closed && this.subs.get(partition) === sub;
      sub.live = false;
      if (unexpected) this.retryLater();
    });
    try {
      await channel.prefetch(this.prefetch);
      await channel.assertQueue(queue, partitionQueueOptions(this.topology));
      await channel.consume(queue, (msg) => this.onMessage(sub, msg), { noAck: false });
      return sub;
    } catch (err) {
      await this.release(sub);
      throw err;
    }
  }

  private onMessage(sub: Subscription, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (its queue was deleted): start over on a fresh channel.
      if (sub.live && !this.closed) {
        this.log.warn(`rabbitmq: the broker cancelled the consumer of ${partitionQueue(this.topology.prefix, sub.partition)}; resubscribing`);
        void this.release(sub);
        this.retryLater();
      }
      return;
    }
    // A partition being dropped: leave the notice unacked; closing the channel requeues it.
    if (!sub.live || !this.wanted.has(sub.partition) || !this.handler) return;
    const notice = decodeNotice(msg.content);
    if (!notice) {
      this.log.error(`rabbitmq: a message in ${partitionQueue(this.topology.prefix, sub.partition)} is not a work notice; parked in ${deadLetterQueue(this.topology.prefix)}`);
      settle(sub, (ch) => ch.reject(msg, false));
      return;
    }
    this.warnIfLastAttempt(msg, notice.invocationId, sub.partition);
    let acked = false;
    const delivery: Delivery = {
      notice,
      ack: async () => {
        if (acked) return;
        acked = true;
        // On a released channel the notice went back to the queue: nothing left to ack.
        settle(sub, (ch) => ch.ack(msg));
      },
    };
    try {
      this.handler(delivery);
    } catch (err) {
      this.log.error(`rabbitmq: the delivery handler threw: ${(err as Error).message}`);
    }
  }

  /** The broker dead-letters a notice returned more than `deliveryLimit` times; say so while it can still be acked. */
  private warnIfLastAttempt(msg: ConsumeMessage, invocationId: string, partition: number): void {
    const count: unknown = msg.properties.headers?.['x-delivery-count'];
    if (typeof count !== 'number' || count < this.topology.deliveryLimit) return;
    this.log.warn(
      `rabbitmq: notice of invocation ${invocationId} (partition ${partition}) was delivered ${count + 1} times without an ack; ` +
        `if this delivery is not acked either, RabbitMQ parks it in queue ${deadLetterQueue(this.topology.prefix)}. ` +
        `The work itself stays in the store and its poll picks it up.`,
    );
  }

  private retryLater(): void {
    if (this.retryTimer || this.closed) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(delay * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.reconcile();
    }, delay);
    this.retryTimer.unref();
  }

  private async release(sub: Subscription): Promise<void> {
    const wasLive = sub.live;
    sub.live = false;
    if (wasLive) await sub.channel.close().catch(() => {});
  }
}

/** Acks or rejects on a live channel; a closed one already gave the message back. */
function settle(sub: Subscription, fn: (ch: Channel) => void): void {
  if (!sub.live) return;
  try {
    fn(sub.channel);
  } catch {
    // The channel closed between the check and the call: same as above.
  }
}
