import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel, Options, RecoveringChannelModel } from 'amqplib';
import { ConfigError, RuntimeStateError } from '../../core/errors.js';
import { consoleLogger, type Logger } from '../../core/logger.js';
import type { Delivery, Transport, TransportCapabilities, WorkNotice } from '../../ports/transport.js';
import { PartitionConsumers } from './consumers.js';
import { brokerError, describeBroker } from './errors.js';
import { ConfirmPublisher } from './publisher.js';
import { assertDeadLetters, deadLetterQueue, type Topology } from './topology.js';
import { timerDelay } from '../../core/timers.js';

/** Options of {@link RabbitMQTransport}. */
export interface RabbitMQTransportOptions {
  /** Prefix of every queue and exchange: `${prefix}.p${partition}`, `${prefix}.dlx`, `${prefix}.dead`. Default `loom`. */
  prefix?: string;
  /**
   * Deliveries of one notice without an ack before RabbitMQ parks it in
   * `${prefix}.dead` (the quorum queue's `x-delivery-limit`). Default 20. All
   * workers on a prefix must agree: RabbitMQ refuses to redeclare a queue with another value.
   */
  deliveryLimit?: number;
  /** Unacked notices in flight per consumed partition. Default 256. */
  prefetch?: number;
  /** How long `start()` and `publish()` wait for the broker (also across a reconnect) before they fail. Default 10 000 ms. */
  timeoutMs?: number;
  /** Where connection losses, reconnects and parked notices are reported. Default: console warnings and errors. */
  logger?: Logger;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * The Transport port on RabbitMQ (AMQP 0-9-1, through amqplib): one quorum
 * queue per partition, publisher confirms, manual acks and a dead-letter queue.
 *
 * - `publish()` resolves once the broker confirmed every notice as persisted; during an
 *   outage it waits for the reconnection (up to `timeoutMs`) and then rejects with a StoreError.
 * - Deliveries stay unacked until `Delivery.ack()`; a consumer that dies, closes
 *   or drops the partition gives them back to the broker for the next consumer.
 * - A notice delivered `deliveryLimit` times without an ack is parked in
 *   `${prefix}.dead` and logged, never dropped silently. Parking loses no work: the
 *   store is the inbox and its poll finds the invocation anyway.
 * - The connection reconnects by itself with capped backoff (100 ms to 5 s), then
 *   redeclares the topology and resubscribes the partitions consumed at that time.
 */
export class RabbitMQTransport implements Transport {
  readonly name = 'rabbitmq';
  readonly capabilities: TransportCapabilities = { delivery: 'at-least-once' };
  private readonly broker: string;
  private readonly topology: Topology;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private readonly consumers: PartitionConsumers;
  private conn: RecoveringChannelModel | undefined;
  private starting: Promise<void> | undefined;
  /** The live connection, undefined during an outage. */
  private model: ChannelModel | undefined;
  private publisher: ConfirmPublisher | undefined;
  private opening: Promise<ConfirmPublisher> | undefined;
  private readonly waiters = new Set<(err?: Error) => void>();
  private lastError: unknown;
  private outage = false;
  private connectedBefore = false;
  private closed = false;

  /** @param url an `amqp://` URL or amqplib's connect options. */
  constructor(
    private readonly url: string | Options.Connect,
    options: RabbitMQTransportOptions = {},
  ) {
    const prefix = options.prefix ?? 'loom';
    const deliveryLimit = options.deliveryLimit ?? 20;
    const prefetch = options.prefetch ?? 256;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    if (!prefix || prefix.length > 200) throw new ConfigError(`RabbitMQTransport: prefix must be 1 to 200 characters (queue names are at most 255 bytes), got "${prefix}"`);
    if (!Number.isInteger(deliveryLimit) || deliveryLimit < 1) throw new ConfigError(`RabbitMQTransport: deliveryLimit must be a positive integer, got ${deliveryLimit}`);
    if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65_535) throw new ConfigError(`RabbitMQTransport: prefetch must be an integer from 1 to 65535, got ${prefetch}`);
    if (!(this.timeoutMs > 0)) throw new ConfigError(`RabbitMQTransport: timeoutMs must be positive, got ${this.timeoutMs}`);
    this.broker = describeBroker(url);
    this.topology = { prefix, deliveryLimit };
    this.log = options.logger ?? consoleLogger;
    this.consumers = new PartitionConsumers(this.topology, prefetch, this.log);
  }

  /** Connects and declares the dead-letter topology; rejects with a StoreError if the broker is not reachable within `timeoutMs`. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new RuntimeStateError('RabbitMQTransport.start: the transport was closed; create a new one'));
    this.starting ??= this.open().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  async publish(notices: readonly WorkNotice[]): Promise<void> {
    if (notices.length === 0) return;
    this.assertUsable('publish');
    const deadline = Date.now() + this.timeoutMs;
    let left = notices;
    let failure: unknown;
    for (let backoff = 50; ; backoff = Math.min(backoff * 2, 1_000)) {
      try {
        // Bounded by the deadline too: a half-open socket would otherwise keep confirms pending until the heartbeat notices.
        left = await beforeDeadline((await this.publishChannel(deadline)).send(left), deadline);
        if (left.length === 0) return;
        failure = new Error(`the broker did not confirm ${left.length} notice(s)`);
      } catch (err) {
        if (this.closed) throw new RuntimeStateError('RabbitMQTransport.publish: the transport was closed while publishing');
        failure = err;
      }
      // Retrying may publish a notice twice: harmless, a notice only says "look at this invocation".
      const wait = Math.min(backoff, deadline - Date.now());
      if (wait <= 0) {
        throw brokerError('publish', this.broker, `${left.length} notice(s) were not confirmed within ${this.timeoutMs} ms`, this.model ? failure : this.lastError ?? failure);
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  async consume(partitions: readonly number[], onDelivery: (delivery: Delivery) => void): Promise<void> {
    this.assertUsable('consume');
    return this.consumers.setTarget(partitions, onDelivery);
  }

  /** Closes consumers first (acks already sent are processed, unacked notices are requeued), then the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of [...this.waiters]) wake(new RuntimeStateError('RabbitMQTransport was closed'));
    await this.consumers.close();
    const publisher = this.publisher;
    this.publisher = undefined;
    this.model = undefined;
    await publisher?.channel.close().catch(() => {});
    await this.conn?.close().catch(() => {});
  }

  /**
   * The live amqplib connection, for tests that cut it to exercise recovery.
   * @internal
   */
  __connectionForTests(): ChannelModel | undefined {
    return this.model;
  }

  private async open(): Promise<void> {
    const conn = await amqp.connect(this.url, {
      // Notices are tiny frames: without TCP_NODELAY, Nagle plus delayed ACKs add ~40 ms to every publish confirm.
      noDelay: true,
      clientProperties: { connection_name: `loom ${this.topology.prefix}` },
      recovery: { initialDelay: RECONNECT_MIN_MS, maxDelay: RECONNECT_MAX_MS, waitForConnect: false, setup: (m: ChannelModel) => this.setup(m) },
    });
    this.conn = conn;
    this.watch(conn);
    if (this.closed) return void (await conn.close());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timerDelay(this.timeoutMs))));
    try {
      const first = await Promise.race([conn.waitForConnect(), timeout]).catch((err: unknown) => {
        // Only close() stops the first attempt early (recovery retries forever otherwise).
        throw this.closed ? new RuntimeStateError('RabbitMQTransport.start: the transport was closed while connecting') : brokerError('start', this.broker, 'could not connect', err);
      });
      if (first === 'timeout') {
        await conn.close();
        throw brokerError('start', this.broker, `no connection within ${this.timeoutMs} ms`, this.lastError);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private watch(conn: RecoveringChannelModel): void {
    // Without an 'error' listener an EventEmitter throws; the failure is reported on 'disconnect'.
    conn.on('error', (err: Error) => (this.lastError = err));
    conn.on('disconnect', (err: Error) => {
      if (!this.closed) this.log.warn(`rabbitmq: lost the connection to ${this.broker} (${err.message}); reconnecting`);
      this.outage = true;
    });
    conn.on('connect-failed', (err: Error) => {
      this.lastError = err;
      // One warning per outage; every failed attempt would flood the log at 5 s intervals.
      if (this.outage && !this.closed) this.log.warn(`rabbitmq: cannot reconnect to ${this.broker} yet (${err.message}); still trying`);
      this.outage = false;
    });
  }

  /** Runs on every new connection, before it counts as up: publish channel, dead-letter topology, consumers. */
  private async setup(model: ChannelModel): Promise<void> {
    model.on('error', () => {}); // reported by the recovering wrapper once it binds
    const channel = await model.createConfirmChannel();
    this.watchPublishChannel(channel);
    const parked = await assertDeadLetters(channel, this.topology.prefix);
    if (this.closed) return; // the wrapper closes this connection itself
    if (parked > 0) {
      this.log.warn(`rabbitmq: ${parked} notice(s) are parked in queue ${deadLetterQueue(this.topology.prefix)} after ${this.topology.deliveryLimit} unacked deliveries; the store poll picks their work up; purge the queue once inspected`);
    }
    model.on('close', () => this.lost(model));
    this.model = model;
    this.publisher = new ConfirmPublisher(channel, this.topology);
    if (this.connectedBefore) this.log.info(`rabbitmq: reconnected to ${this.broker}; resubscribing`);
    this.connectedBefore = true;
    this.lastError = undefined;
    this.outage = false;
    for (const wake of [...this.waiters]) wake();
    this.consumers.attach(model);
  }

  private lost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.publisher = undefined;
    this.consumers.detach(model);
  }

  /** The current confirm channel; reopened if only it died, awaited (until `deadline`) if the connection is down. */
  private async publishChannel(deadline: number): Promise<ConfirmPublisher> {
    for (;;) {
      if (this.closed) throw new RuntimeStateError('RabbitMQTransport was closed');
      if (this.publisher && !this.publisher.closed) return this.publisher;
      const model = this.model;
      if (!model) {
        await this.reconnected(deadline);
        continue;
      }
      this.opening ??= this.openPublisher(model).finally(() => (this.opening = undefined));
      return await this.opening;
    }
  }

  private async openPublisher(model: ChannelModel): Promise<ConfirmPublisher> {
    const channel = await model.createConfirmChannel();
    this.watchPublishChannel(channel);
    const publisher = new ConfirmPublisher(channel, this.topology);
    if (this.model === model) this.publisher = publisher;
    return publisher;
  }

  private watchPublishChannel(channel: ConfirmChannel): void {
    channel.on('error', (err: Error) => {
      this.lastError = err;
      if (!this.closed) this.log.warn(`rabbitmq: the publish channel failed: ${err.message}; opening another`);
    });
  }

  private reconnected(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(done);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => done(new Error(`no connection within ${this.timeoutMs} ms`)), timerDelay(deadline - Date.now()));
      this.waiters.add(done);
    });
  }

  private assertUsable(op: string): void {
    if (this.closed) throw new RuntimeStateError(`RabbitMQTransport.${op}: the transport was closed; create a new one`);
    if (!this.starting) throw new RuntimeStateError(`RabbitMQTransport.${op}: call await transport.start() first`);
  }
}

function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no publisher confirm from the broker before the timeout')), timerDelay(deadline - Date.now()));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
