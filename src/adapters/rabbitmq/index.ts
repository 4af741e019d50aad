/**
 * `loom/rabbitmq`: the Transport port on RabbitMQ — quorum queues per
 * partition, publisher confirms, manual acks and a dead-letter queue. Needs the
 * `amqplib` package. The store stays the durable inbox; RabbitMQ only carries
 * "work is ready" notices to the owner of a partition, at low latency.
 *
 * @example
 * const transport = new RabbitMQTransport('amqp://loom:secret@mq:5672', { prefix: 'loom' });
 * await transport.start();
 *
 * @packageDocumentation
 */

/** At-least-once delivery of work notices over RabbitMQ quorum queues, with automatic reconnect. */
export { RabbitMQTransport } from './transport.js';
/** Options of {@link RabbitMQTransport}: queue prefix, delivery limit, prefetch, timeout and logger. */
export type { RabbitMQTransportOptions } from './transport.js';
