/**
 * The BullMQ adapter: `BullMQTransport` implements the Transport port on BullMQ
 * queues (one per partition), with at-least-once delivery and acknowledgement
 * after the commit. bullmq and ioredis are optional peer dependencies of Loom.
 *
 * @packageDocumentation
 */

/** At-least-once work notices over BullMQ: one queue per partition, jobs completed on ack. */
export { BullMQTransport } from './transport.js';
/** Options of {@link BullMQTransport}. */
export type { BullMQTransportOptions } from './transport.js';
/** The seed README's name for {@link BullMQTransport}: `new BullMQMessageAdapter(redis)`. */
export { BullMQMessageAdapter } from './message-adapter.js';
/** What receives the transport's warnings about errors it recovers from. */
export type { TransportLogger } from '../redis/transport-client.js';
