import { Redis, type RedisOptions } from 'ioredis';

/** True for an ioredis client (as opposed to its options or a URL). */
export function isClient(x: unknown): x is Redis {
  return typeof (x as Redis).duplicate === 'function' && typeof (x as Redis).pipeline === 'function';
}

/**
 * Uses the caller's client as is (left open on close), or creates one from
 * options or a URL (owned: closed on close). A created client fails its first
 * connect at once — a wrong address should fail init()/start() with a clear
 * error, not hang — and reconnects as usual once it has been connected.
 */
export function openClient(redis: Redis | RedisOptions | string, connected: () => boolean): { client: Redis; owned: boolean } {
  if (isClient(redis)) return { client: redis, owned: false };
  const options: RedisOptions = typeof redis === 'string' ? {} : redis;
  const retry = options.retryStrategy ?? ((times: number) => Math.min(times * 50, 2000));
  const ours: RedisOptions = { lazyConnect: true, ...options, retryStrategy: (times) => (connected() ? retry(times) : null) };
  return { client: typeof redis === 'string' ? new Redis(redis, ours) : new Redis(ours), owned: true };
}
