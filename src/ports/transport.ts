/**
 * The Transport port: carries "work is ready" notices to the worker that owns
 * a partition. The store is the durable inbox in every deployment (a message is
 * accepted once the store has it); a transport delivers the notice at low
 * latency instead of waiting for the owner's next poll, and redelivers it if the
 * owner dies before the work was committed. The poll stays as the safety net.
 */
export interface Transport {
  /** Short name for logs, e.g. `'bullmq'`, `'redis-streams'`, `'rabbitmq'`. */
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  /** `options.logger`: the runtime's logger, for a transport that was given none of its own. */
  start(options?: { logger?: { warn(msg: string): void } }): Promise<void>;
  /** Stops consuming; unacknowledged deliveries go back to the transport for redelivery. */
  close(): Promise<void>;
  /** Hands notices to the transport; resolves once it holds them (publisher confirms where it has them). */
  publish(notices: readonly WorkNotice[]): Promise<void>;
  /**
   * Consumes the notices of exactly these partitions from now on (replacing any
   * previous set). Deliveries of partitions dropped from the set are released
   * for redelivery to their next consumer.
   */
  consume(partitions: readonly number[], onDelivery: (delivery: Delivery) => void): Promise<void>;
}

export interface TransportCapabilities {
  /**
   * `'at-least-once'`: a notice is delivered until acknowledged, also across
   * consumer crashes. `'at-most-once'`: notices to a consumer that is down are
   * lost (the store poll picks the work up later).
   */
  delivery: 'at-least-once' | 'at-most-once';
}

/** Work waiting in the store: an invocation that was enqueued or woken. */
export interface WorkNotice {
  partition: number;
  invocationId: string;
}

/** One delivered notice. Acknowledge it once the work it announced is committed. */
export interface Delivery {
  readonly notice: WorkNotice;
  ack(): Promise<void>;
}
