import type { Redis, RedisOptions } from 'ioredis';
import { ConfigError } from '../core/errors.js';
import type { Store } from '../ports/store.js';
import type { Transport } from '../ports/transport.js';
import type { RedisStoreOptions } from '../adapters/redis/store.js';
import type { BullMQTransportOptions } from '../adapters/bullmq/transport.js';
import { DeferredAdapter } from './deferred.js';

/**
 * The seed README's Redis store, `new RedisStateAdapter(redis)`: the `RedisStore`
 * of `loom/redis`, built when the runtime starts so that importing `loom` does
 * not load ioredis. Needs `npm install ioredis`.
 *
 * @example
 * new ActorRuntime({ stateAdapter: new RedisStateAdapter(new Redis()) });
 */
export class RedisStateAdapter extends DeferredAdapter<Store> {
  /**
   * @param redis An ioredis client (left open by close), its options, or a `redis://` URL.
   * @param options Key prefix, logger, sweep batch.
   */
  constructor(
    readonly redis: Redis | RedisOptions | string,
    readonly options: RedisStoreOptions = {},
  ) {
    super('RedisStateAdapter', ['ioredis']);
  }

  protected async build(): Promise<Store> {
    const { RedisStore } = await import('../adapters/redis/store.js');
    return new RedisStore(this.redis, this.options);
  }
}

/**
 * The seed README's `new BullMQMessageAdapter(redis)`: the `BullMQTransport` of
 * `loom/bullmq`, built when the runtime starts so that importing `loom` does not
 * load bullmq. Needs `npm install bullmq ioredis`.
 */
export class BullMQMessageAdapter extends DeferredAdapter<Transport> {
  /**
   * @param redis An ioredis client (left open by close), its options, or a `redis://` URL.
   * @param options Queue prefix, lock and timeout settings, logger.
   */
  constructor(
    readonly redis: Redis | RedisOptions | string,
    readonly options: BullMQTransportOptions = {},
  ) {
    super('BullMQMessageAdapter', ['bullmq', 'ioredis']);
  }

  protected async build(): Promise<Transport> {
    const { BullMQTransport } = await import('../adapters/bullmq/transport.js');
    return new BullMQTransport(this.redis, this.options);
  }
}

/**
 * The seed README's `new RedisIdempotencyStore(redis, ttlSeconds)`. Idempotency
 * records live in the store and commit atomically with each turn (a separate
 * check-then-write store could not be exactly-once), so this object only sets
 * their TTL: pass it as `ActorRuntime({ idempotencyStore })`. Loads no driver.
 */
export class RedisIdempotencyStore {
  readonly idempotencyTtlSeconds: number;
  constructor(
    readonly redis: Redis | RedisOptions | string,
    ttlSeconds = 86_400,
  ) {
    if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new ConfigError(`RedisIdempotencyStore: ttlSeconds must be a positive number of seconds, got ${String(ttlSeconds)}`);
    }
    this.idempotencyTtlSeconds = ttlSeconds;
  }
}
