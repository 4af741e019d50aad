/**
 * The Redis adapter: `RedisStore` implements the Store port (with fenced leases)
 * on Redis 7 through ioredis, an optional peer dependency of Loom.
 * `RedisStreamsTransport` (at-least-once) and `RedisPubSubNotifier` (at-most-once)
 * implement the Transport port on the same Redis.
 *
 * @packageDocumentation
 */

/** The Store port on Redis: one Lua script per turn, group commit by pipeline. */
export { RedisStore } from './store.js';
/** Options of {@link RedisStore}. */
export type { RedisStoreOptions } from './store.js';
/** The fenced partition leases of a {@link RedisStore}, reachable as `store.leases`. */
export { RedisLeases } from './leases.js';
/** What receives `RedisStore.init()`'s warnings about risky Redis settings. */
export type { DurabilityLogger } from './durability.js';
/** At-least-once work notices over Redis Streams: one stream per partition, one consumer group. */
export { RedisStreamsTransport } from './streams-transport.js';
/** Options of {@link RedisStreamsTransport}. */
export type { RedisStreamsTransportOptions } from './streams-transport.js';
/** At-most-once work notices over Redis Pub/Sub: lowers latency, never holds messages. */
export { RedisPubSubNotifier } from './pubsub-notifier.js';
/** Options of {@link RedisPubSubNotifier}. */
export type { RedisPubSubNotifierOptions } from './pubsub-notifier.js';
/** What receives the Redis transports' warnings about errors they recover from. */
export type { TransportLogger } from './transport-client.js';
/** The README's name for the Redis store. */
export { RedisStateAdapter } from './seed.js';
/** The README's `RedisIdempotencyStore(redis, ttlSeconds)`: sets the TTL of idempotency records kept in the store. */
export { RedisIdempotencyStore } from './seed.js';
