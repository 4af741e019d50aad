import type { Redis, RedisOptions } from 'ioredis';
import { ConfigError } from '../../core/errors.js';
import { RedisStore, type RedisStoreOptions } from './store.js';

/** The README's name for the Redis store: state, journal, idempotency, timers, outbox and dead letters. */
export class RedisStateAdapter extends RedisStore {
  constructor(redis: Redis | RedisOptions | string, options?: RedisStoreOptions) {
    super(redis, options);
  }
}

/**
 * The README's `RedisIdempotencyStore(redis, ttlSeconds)`. Idempotency records
 * live in the store and commit atomically with each actor turn, never in a
 * separate round-trip (a separate check-then-act store could not be exactly-once);
 * pass this to `ActorRuntime({ idempotencyStore })` to set their TTL.
 */
export class RedisIdempotencyStore {
  readonly idempotencyTtlSeconds: number;
  constructor(
    readonly redis: Redis | RedisOptions | string,
    ttlSeconds = 86_400,
  ) {
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new ConfigError(`RedisIdempotencyStore: ttlSeconds must be a positive number of seconds, got ${String(ttlSeconds)}`);
    }
    this.idempotencyTtlSeconds = ttlSeconds;
  }
}
