import type { Store } from '../ports/store.js';
import type { Transport } from '../ports/transport.js';
import type { Logger } from '../core/logger.js';
import { isSecretReference } from '../secrets/reference.js';
import type { SecretResolver } from '../secrets/resolver.js';
import { importOptional } from '../secrets/optional.js';
import { toMs } from './types.js';
import type { EffectiveConfig } from './effective.js';

type Redis = NonNullable<EffectiveConfig['redis']>;
type Postgres = NonNullable<EffectiveConfig['postgres']>;

/** The store and transport a configuration names, built with their drivers loaded on demand. */
export async function buildBackends(c: EffectiveConfig, secrets: SecretResolver, log: Logger): Promise<{ store: Store; transport?: Transport }> {
  const reveal = async (v: string | undefined) => (v !== undefined && isSecretReference(v) ? secrets.get(v) : v);
  const redisConn = async (r: Redis) => {
    if (r.url) return reveal(r.url) as Promise<string>;
    const opts: Record<string, unknown> = { host: r.host, port: r.port };
    if (r.username) opts.username = r.username;
    if (r.password) opts.password = await reveal(r.password);
    if (r.db !== undefined) opts.db = r.db;
    if (r.tls) opts.tls = {};
    return opts;
  };
  const pgConn = async (p: Postgres) => {
    if (p.url) return { connectionString: await reveal(p.url), ...(p.maxConnections ? { max: p.maxConnections } : {}) };
    const opts: Record<string, unknown> = {};
    for (const k of ['host', 'port', 'database', 'user'] as const) if (p[k] !== undefined) opts[k] = p[k];
    if (p.password) opts.password = await reveal(p.password);
    if (p.maxConnections) opts.max = p.maxConnections;
    return opts;
  };
  const redisAdapter = () => importOptional(() => import('../adapters/redis/index.js'), ['ioredis'], 'the redis settings');
  const postgresAdapter = () => importOptional(() => import('../adapters/postgres/index.js'), ['pg'], 'the postgres settings');

  let store: Store;
  switch (c.store) {
    case 'memory': {
      const { MemoryStore } = await import('../adapters/memory/index.js');
      store = new MemoryStore();
      break;
    }
    case 'redis': {
      const { RedisStore } = await redisAdapter();
      store = new RedisStore((await redisConn(c.redis!)) as never, { prefix: c.redis!.prefix, logger: log });
      break;
    }
    case 'postgres': {
      const { PostgresStore } = await postgresAdapter();
      store = new PostgresStore((await pgConn(c.postgres!)) as never, { schema: c.postgres!.schema, logger: log });
      break;
    }
    case 'cosmos': {
      const { CosmosStore } = await importOptional(() => import('../adapters/cosmos/index.js'), ['@azure/cosmos'], 'store: cosmos');
      const k = c.cosmos!;
      const options = { database: k.database, container: k.container, partitions: c.runtime.partitions };
      if (k.connectionString) store = new CosmosStore((await reveal(k.connectionString))!, options);
      else if (k.managedIdentity) {
        const { DefaultAzureCredential } = await importOptional(() => import('@azure/identity'), ['@azure/identity'], 'cosmos.managedIdentity');
        store = new CosmosStore({ endpoint: k.endpoint!, aadCredentials: new DefaultAzureCredential() }, options);
      } else store = new CosmosStore({ endpoint: k.endpoint!, key: (await reveal(k.key))! }, options);
      break;
    }
    default: {
      const { SqliteStore } = await import('../adapters/sqlite/index.js');
      const s = c.sqlite!;
      store = new SqliteStore({ path: s.path, synchronous: s.synchronous, busyTimeoutMs: toMs(s.busyTimeout) });
    }
  }

  let transport: Transport | undefined;
  switch (c.transport) {
    case 'bullmq': {
      const { BullMQTransport } = await importOptional(() => import('../adapters/bullmq/index.js'), ['bullmq', 'ioredis'], 'transport: bullmq');
      const b = c.bullmq ?? {};
      transport = new BullMQTransport((await redisConn(c.redis!)) as never, {
        logger: log,
        ...(b.prefix ? { prefix: b.prefix } : {}),
        ...(b.lockDuration !== undefined ? { lockDurationMs: toMs(b.lockDuration) } : {}),
        ...(b.concurrency ? { concurrency: b.concurrency } : {}),
      });
      break;
    }
    case 'redis-streams': {
      const { RedisStreamsTransport } = await redisAdapter();
      const s = c.redisStreams ?? {};
      transport = new RedisStreamsTransport((await redisConn(c.redis!)) as never, {
        logger: log,
        prefix: s.prefix ?? c.redis!.prefix,
        ...(s.group ? { group: s.group } : {}),
        ...(s.maxLen ? { maxLen: s.maxLen } : {}),
      });
      break;
    }
    case 'redis-pubsub': {
      const { RedisPubSubNotifier } = await redisAdapter();
      transport = new RedisPubSubNotifier((await redisConn(c.redis!)) as never, { prefix: c.redis!.prefix, logger: log });
      break;
    }
    case 'rabbitmq': {
      const { RabbitMQTransport } = await importOptional(() => import('../adapters/rabbitmq/index.js'), ['amqplib'], 'transport: rabbitmq');
      const r = c.rabbitmq!;
      transport = new RabbitMQTransport((await reveal(r.url))!, {
        logger: log,
        prefix: r.prefix,
        ...(r.deliveryLimit ? { deliveryLimit: r.deliveryLimit } : {}),
        ...(r.prefetch ? { prefetch: r.prefetch } : {}),
      });
      break;
    }
    case 'postgres-notify': {
      const { PostgresNotifier } = await postgresAdapter();
      transport = new PostgresNotifier((await pgConn(c.postgres!)) as never, { schema: c.postgres!.schema, logger: log });
      break;
    }
    default:
      break;
  }
  return transport ? { store, transport } : { store };
}
