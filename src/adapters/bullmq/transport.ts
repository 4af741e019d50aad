import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { ConfigError, RuntimeStateError } from '../../core/errors.js';
import { consoleLogger } from '../../core/logger.js';
import type { Delivery, Transport, WorkNotice } from '../../ports/transport.js';
import { TransportClient, throttled, type TransportLogger } from '../redis/transport-client.js';
import { PartitionWorker } from './partition-worker.js';

/** Options of {@link BullMQTransport}. */
export interface BullMQTransportOptions {
  /**
   * BullMQ's key prefix: partition `n` is the queue `p{n}`, its keys `${prefix}:p{n}:…`.
   * One prefix per deployment. Default `'loom'`.
   */
  prefix?: string;
  /**
   * How long a job stays locked by a consumer that stopped renewing it (crashed,
   * hung) before it can go back to the queue. A live consumer renews its locks,
   * so long work keeps its job. Default 5000.
   */
  lockDurationMs?: number;
  /** How often each worker looks for jobs whose lock expired. Default 5000. */
  stalledIntervalMs?: number;
  /** Most unacknowledged notices one partition's worker holds at once. Default 1000. */
  concurrency?: number;
  /** Longest a publish, an ack or a consume() waits for Redis before it fails (ioredis queues commands while reconnecting). Default 10000. */
  timeoutMs?: number;
  /** Receives errors BullMQ recovers from. Default: the runtime's logger (console warnings outside a runtime). */
  logger?: TransportLogger;
}

/**
 * At-least-once notices over BullMQ: one queue per partition, one Worker per
 * consumed partition. A job completes (and is removed) only when its delivery is
 * acknowledged, after the commit. Unacknowledged jobs go back to the queue when
 * their partition is dropped or the transport closes, and after `lockDurationMs`
 * plus up to `stalledIntervalMs` when their consumer died.
 *
 * Each consumed partition costs two Redis connections (BullMQ's worker and its
 * blocking fetch); publishing shares the transport's main connection.
 */
export class BullMQTransport implements Transport {
  readonly name: string = 'bullmq';
  readonly capabilities = { delivery: 'at-least-once' } as const;
  private readonly conn: TransportClient;
  private log: TransportLogger;
  private readonly ownLogger: boolean;
  private readonly prefix: string;
  private readonly lockDurationMs: number;
  private readonly stalledIntervalMs: number;
  private readonly concurrency: number;
  private readonly workerName = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private state: 'new' | 'started' | 'closed' = 'new';
  private template: Redis | undefined;
  private readonly queues = new Map<number, Queue<WorkNotice>>();
  private readonly workers = new Map<number, PartitionWorker>();
  private onDelivery: ((delivery: Delivery) => void) | undefined;

  /**
   * @param redis An ioredis client (left open by `close()`), its options, or a
   *   `redis://` URL (the transport then owns the client and quits it on `close()`).
   *   BullMQ rejects clients with a `keyPrefix`: use the `prefix` option instead.
   */
  constructor(redis: Redis | RedisOptions | string, options: BullMQTransportOptions = {}) {
    this.conn = new TransportClient('BullMQ transport', redis, options.timeoutMs);
    if (this.conn.client.options.keyPrefix) {
      throw new ConfigError(
        `BullMQ transport: the Redis client has keyPrefix "${this.conn.client.options.keyPrefix}", which BullMQ does not support. ` +
          `Pass a client without keyPrefix and set the transport's prefix option instead.`,
      );
    }
    // BullMQ reports every failed reconnection of every connection: say each once in a while.
    this.log = { warn: throttled(options.logger ?? consoleLogger) };
    this.ownLogger = options.logger !== undefined;
    this.prefix = options.prefix ?? 'loom';
    this.lockDurationMs = Math.max(100, options.lockDurationMs ?? 5000);
    this.stalledIntervalMs = Math.max(100, options.stalledIntervalMs ?? 5000);
    this.concurrency = Math.max(1, options.concurrency ?? 1000);
  }

  async start(options: { logger?: TransportLogger } = {}): Promise<void> {
    if (this.state !== 'new') return;
    if (!this.ownLogger && options.logger) this.log = { warn: throttled(options.logger) };
    await this.conn.connect();
    // BullMQ's workers need maxRetriesPerRequest: null; they duplicate this template, never connect it.
    this.template = this.conn.client.duplicate({ lazyConnect: true, maxRetriesPerRequest: null });
    this.state = 'started';
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await Promise.all([...this.workers.values()].map((w) => w.close()));
    this.workers.clear();
    // The queues share the main client: closing them leaves it open for conn.close().
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    this.template?.disconnect();
    await this.conn.close();
  }

  async publish(notices: readonly WorkNotice[]): Promise<void> {
    this.assertStarted('publish');
    const byPartition = new Map<number, WorkNotice[]>();
    for (const n of notices) byPartition.set(n.partition, [...(byPartition.get(n.partition) ?? []), n]);
    // Duplicate jobs are fine (the engine skips committed work), so BullMQ assigns the ids.
    await this.conn.run(`publish of ${notices.length} notice(s)`, () =>
      Promise.all(
        [...byPartition].map(([p, list]) =>
          this.queue(p).addBulk(list.map((n) => ({ name: 'notice', data: { partition: n.partition, invocationId: n.invocationId } }))),
        ),
      ),
    );
  }

  async consume(partitions: readonly number[], onDelivery: (delivery: Delivery) => void): Promise<void> {
    this.assertStarted('consume');
    this.onDelivery = onDelivery;
    const next = new Set(partitions);
    const dropped = [...this.workers.values()].filter((w) => !next.has(w.partition));
    for (const w of dropped) this.workers.delete(w.partition);
    const added = [...next].filter((p) => !this.workers.has(p));
    const created = added.map((p) => {
      const w = new PartitionWorker(p, this.queue(p), () => this.onDelivery, {
        prefix: this.prefix,
        connection: this.template!,
        lockDurationMs: this.lockDurationMs,
        stalledIntervalMs: this.stalledIntervalMs,
        concurrency: this.concurrency,
        workerName: this.workerName,
        logger: this.log,
      });
      this.workers.set(p, w);
      return w;
    });
    await Promise.all(dropped.map((w) => w.close()));
    await this.conn.run(`consume of partitions ${added.join(', ')}`, () => Promise.all(created.map((w) => w.ready())));
  }

  private queue(partition: number): Queue<WorkNotice> {
    let q = this.queues.get(partition);
    if (!q) {
      q = new Queue<WorkNotice>(`p${partition}`, {
        connection: this.conn.client,
        prefix: this.prefix,
        // Nothing should grow: jobs go once done, and BullMQ's event stream stays short.
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
        streams: { events: { maxLen: 100 } },
      });
      q.on('error', (err: Error) => this.state !== 'closed' && this.log.warn(`BullMQ transport: a queue failed: ${err.message}`));
      this.queues.set(partition, q);
    }
    return q;
  }

  private assertStarted(op: string): void {
    if (this.state === 'started') return;
    throw new RuntimeStateError(
      this.state === 'new' ? `BullMQ transport: ${op}() before start(); call await transport.start() first.` : `BullMQ transport: ${op}() after close(); create a new transport.`,
    );
  }
}
