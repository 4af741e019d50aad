/**
 * The Redis adapter: `RedisStore` implements the Store port (with fenced leases)
 * on Redis 7 through ioredis, an optional peer dependency of Loom.
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
