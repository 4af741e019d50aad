import { DEFAULT_RETRY_POLICY } from '../core/retry.js';
import { storeOf, transportOf } from './cross-check.js';
import type { LoomConfig } from './schema.js';

/** Defaults of every key that has one: the same values the runtime would use unconfigured. */
export const DEFAULTS = {
  sqlite: { path: './.loom/loom.db', synchronous: 'FULL', busyTimeout: 5000 },
  redis: { host: 'localhost', port: 6379, prefix: 'loom:' },
  postgres: { schema: 'loom' },
  cosmos: { database: 'loom', container: 'loom', managedIdentity: false },
  rabbitmq: { url: 'amqp://localhost', prefix: 'loom' },
  runtime: {
    partitions: 64,
    leaseTtl: 10_000,
    pollInterval: 250,
    maxPayloadSize: '1mb',
    maxActivations: 10_000,
    idleTimeout: 60_000,
    maxConcurrency: 1000,
    sweepInterval: 60_000,
    deadLetterTtl: '7d',
    eagerStart: true,
    parkSleepsUpTo: 10_000,
  },
  defaults: { timeout: 30_000, idempotencyTtl: 86_400, retryPolicy: { ...DEFAULT_RETRY_POLICY }, messageOrdering: 'standard', concurrency: 1 },
  observability: { enabled: false, port: 9090, host: '0.0.0.0' },
  secrets: { ttl: '5m', maxAge: '1h' },
} as const;

/** The configuration with the chosen store and transport and every default filled in. */
export function effectiveConfig(c: LoomConfig) {
  const store = storeOf(c);
  const transport = transportOf(c);
  const redisUsed = store === 'redis' || transport === 'bullmq' || transport === 'redis-streams' || transport === 'redis-pubsub';
  const postgresUsed = store === 'postgres' || transport === 'postgres-notify';
  return {
    store,
    transport,
    ...(store === 'sqlite' ? { sqlite: { ...DEFAULTS.sqlite, ...c.sqlite } } : {}),
    ...(postgresUsed ? { postgres: { ...DEFAULTS.postgres, ...c.postgres } } : {}),
    ...(store === 'cosmos' ? { cosmos: { ...DEFAULTS.cosmos, ...c.cosmos } } : {}),
    ...(redisUsed ? { redis: c.redis?.url ? { prefix: DEFAULTS.redis.prefix, ...c.redis } : { ...DEFAULTS.redis, ...c.redis } } : {}),
    ...(transport === 'bullmq' ? { bullmq: { ...c.bullmq } } : {}),
    ...(transport === 'redis-streams' ? { redisStreams: { ...c.redisStreams } } : {}),
    ...(transport === 'rabbitmq' ? { rabbitmq: { ...DEFAULTS.rabbitmq, ...c.rabbitmq } } : {}),
    runtime: { ...DEFAULTS.runtime, ...c.runtime },
    defaults: {
      ...DEFAULTS.defaults,
      ...c.defaults,
      retryPolicy: { ...DEFAULTS.defaults.retryPolicy, ...c.defaults?.retryPolicy },
    },
    actors: { ...c.actors },
    observability: { ...DEFAULTS.observability, ...c.observability },
    secrets: { ...DEFAULTS.secrets, ...c.secrets },
  };
}

/** The type of {@link effectiveConfig}'s result. */
export type EffectiveConfig = ReturnType<typeof effectiveConfig>;
