import type { Redis, RedisOptions } from 'ioredis';
import { RuntimeStateError } from '../../core/errors.js';
import { consoleLogger } from '../../core/logger.js';
import type { Delivery, Transport, WorkNotice } from '../../ports/transport.js';
import { TransportClient, type TransportLogger } from './transport-client.js';

/** Options of {@link RedisPubSubNotifier}. */
export interface RedisPubSubNotifierOptions {
  /** Prefix of the channels, `${prefix}notice:${partition}`. One prefix per deployment. Default `'loom:'`. */
  prefix?: string;
  /** Longest a publish, an ack or a consume() waits for Redis before it fails (ioredis queues commands while reconnecting). Default 10000. */
  timeoutMs?: number;
  /** Receives errors of the delivery handler. Default: console warnings. */
  logger?: TransportLogger;
}

const ack = (): Promise<void> => Promise.resolve();

/**
 * At-most-once notices over Redis Pub/Sub: PUBLISH on one channel per partition,
 * SUBSCRIBE on a dedicated connection for the consumed ones.
 *
 * It lowers latency; it never holds messages. A notice published while no
 * consumer of its partition listens (worker down, reconnecting, rebalancing) is
 * lost, and the store poll then picks the work up, after up to one poll
 * interval. `ack()` does nothing: there is nothing to redeliver. Use
 * {@link RedisStreamsTransport} when work must be redelivered without waiting
 * for the poll.
 */
export class RedisPubSubNotifier implements Transport {
  readonly name = 'redis-pubsub';
  readonly capabilities = { delivery: 'at-most-once' } as const;
  private readonly conn: TransportClient;
  private readonly log: TransportLogger;
  private readonly prefix: string;
  private state: 'new' | 'started' | 'closed' = 'new';
  private subscriber: Redis | undefined;
  private partitions = new Set<number>();
  private onDelivery: ((delivery: Delivery) => void) | undefined;

  /**
   * @param redis An ioredis client (left open by `close()`), its options, or a
   *   `redis://` URL (the notifier then owns the client and quits it on `close()`).
   */
  constructor(redis: Redis | RedisOptions | string, options: RedisPubSubNotifierOptions = {}) {
    this.conn = new TransportClient('Redis Pub/Sub notifier', redis, options.timeoutMs);
    this.log = options.logger ?? consoleLogger;
    this.prefix = options.prefix ?? 'loom:';
  }

  async start(): Promise<void> {
    if (this.state !== 'new') return;
    await this.conn.connect();
    // A subscribed connection can run nothing else; ioredis resubscribes it after a reconnect.
    this.subscriber = await this.conn.duplicate();
    this.subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    this.state = 'started';
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.conn.close();
  }

  async publish(notices: readonly WorkNotice[]): Promise<void> {
    this.assertStarted('publish');
    if (notices.length === 0) return;
    const pipe = this.conn.client.pipeline();
    for (const n of notices) pipe.publish(this.channel(n.partition), n.invocationId);
    await this.conn.exec(`publish of ${notices.length} notice(s)`, pipe);
  }

  async consume(partitions: readonly number[], onDelivery: (delivery: Delivery) => void): Promise<void> {
    this.assertStarted('consume');
    const next = new Set(partitions);
    const added = [...next].filter((p) => !this.partitions.has(p)).map((p) => this.channel(p));
    const dropped = [...this.partitions].filter((p) => !next.has(p)).map((p) => this.channel(p));
    this.partitions = next;
    this.onDelivery = onDelivery;
    const sub = this.subscriber!;
    // Resolves once Redis confirmed: notices published after consume() returns arrive.
    await this.conn.run('subscribe', async () => {
      if (dropped.length > 0) await sub.unsubscribe(...dropped);
      if (added.length > 0) await sub.subscribe(...added);
    });
  }

  private channel(partition: number): string {
    return `${this.prefix}notice:${partition}`;
  }

  private deliver(channel: string, invocationId: string): void {
    const head = `${this.prefix}notice:`;
    if (!channel.startsWith(head)) return;
    const partition = Number(channel.slice(head.length));
    // A message can still arrive between deciding to drop a partition and Redis confirming it.
    if (this.state !== 'started' || !this.partitions.has(partition) || !this.onDelivery) return;
    try {
      this.onDelivery({ notice: { partition, invocationId }, ack });
    } catch (err) {
      this.log.warn(`Redis Pub/Sub notifier: the delivery handler threw for ${invocationId} (the store poll picks the work up): ${String(err)}`);
    }
  }

  private assertStarted(op: string): void {
    if (this.state === 'started') return;
    throw new RuntimeStateError(
      this.state === 'new' ? `Redis Pub/Sub notifier: ${op}() before start(); call await transport.start() first.` : `Redis Pub/Sub notifier: ${op}() after close(); create a new transport.`,
    );
  }
}
