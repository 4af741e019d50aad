import { z } from 'zod';
import { duration, seconds, secretRef, size } from './types.js';

const retryPolicy = z
  .strictObject({
    maxAttempts: z.number().int().min(1).optional().describe('Attempts in all, the first included. Default 3.'),
    backoff: z.enum(['fixed', 'exponential']).optional().describe("Delay between attempts: 'fixed' or 'exponential'. Default 'exponential'."),
    initialDelayMs: z.number().int().min(0).optional().describe('Delay before the second attempt, ms. Default 1000.'),
    maxDelayMs: z.number().int().min(0).optional().describe('Longest delay between attempts, ms. Default 30000.'),
    multiplier: z.number().min(1).optional().describe('Growth of the exponential delay per attempt. Default 2.'),
  })
  .describe('How a failing invocation is retried before it becomes a dead letter.');

const actorFields = {
  timeout: duration('Handler timeout per attempt (ms, or a duration string). Default 30000.').optional(),
  idempotencyTtl: seconds('How long a finished invocation answers duplicates of its idempotency key: seconds, or a duration string. Default 86400 (24 h).').optional(),
  retryPolicy: retryPolicy.optional(),
  messageOrdering: z.enum(['fifo', 'standard']).optional().describe("'fifo' or 'standard'. Default 'standard'. Passed to the actor type's settings."),
  concurrency: z.number().int().min(1).optional().describe('Invocations at once per actor id. Default 1. Passed to the actor type\'s settings.'),
};

/** Settings of one actor type (`actors.<type>`). */
export const actorSchema = z
  .strictObject({
    ...actorFields,
    secrets: z.record(z.string(), secretRef('A secret reference, read in handlers as this.secrets.<name>.')).optional().describe('Secret references by name.'),
  })
  .describe('Settings of one actor type, keyed by its type name (PaymentProcessor) or its kebab-case form (payment-processor).');

const redis = z
  .strictObject({
    url: z.string().optional().describe('redis:// or rediss:// URL. Overrides host, port, username, password and db.'),
    host: z.string().optional().describe('Default localhost.'),
    port: z.number().int().min(1).max(65_535).optional().describe('Default 6379.'),
    username: z.string().optional().describe('ACL user name.'),
    password: z.string().optional().describe('Password, or a secret reference (vault://, env://, file:///).'),
    db: z.number().int().min(0).optional().describe('Database number. Default 0.'),
    tls: z.boolean().optional().describe('Connect with TLS. Default false.'),
    prefix: z.string().min(1).optional().describe("Prefix of every key Loom writes. Default 'loom:'."),
  })
  .describe('Redis connection: the store when store is redis, and the connection of the bullmq, redis-streams and redis-pubsub transports.');

const postgres = z
  .strictObject({
    url: z.string().optional().describe('postgres:// connection string, or a secret reference. Overrides host, port, database, user and password.'),
    host: z.string().optional().describe('Default localhost.'),
    port: z.number().int().min(1).max(65_535).optional().describe('Default 5432.'),
    database: z.string().optional().describe('Database name.'),
    user: z.string().optional().describe('User name.'),
    password: z.string().optional().describe('Password, or a secret reference.'),
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'expected a lower-case identifier (a-z, 0-9, _), at most 63 characters' }).optional().describe("Schema of Loom's tables. Default 'loom'."),
    maxConnections: z.number().int().min(1).optional().describe('Pool size. Default 10.'),
  })
  .describe('PostgreSQL connection: the store when store is postgres, and the postgres-notify transport.');

const cosmos = z
  .strictObject({
    endpoint: z.string().optional().describe('Account endpoint, https://<account>.documents.azure.com:443/.'),
    key: z.string().optional().describe('Account key, or a secret reference.'),
    connectionString: z.string().optional().describe('AccountEndpoint=…;AccountKey=…; or a secret reference. Overrides endpoint and key.'),
    managedIdentity: z.boolean().optional().describe('Authenticate with DefaultAzureCredential from @azure/identity (managed identity, workload identity, az login) instead of a key. Default false.'),
    database: z.string().min(1).optional().describe("Database id; created when missing. Default 'loom'."),
    container: z.string().min(1).optional().describe("Container id; created when missing, partitioned by /pk. Default 'loom'."),
  })
  .describe('Azure Cosmos DB: the store when store is cosmos (needs @azure/cosmos).');

/** The whole `loom.config.yaml`. The single source of its types, validation, JSON Schema and reference docs. */
export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema of this file, for editors.'),
    store: z
      .enum(['sqlite', 'postgres', 'redis', 'cosmos', 'memory'])
      .optional()
      .describe('Where everything durable lives. Default: redis, postgres or cosmos when only that section is given, else sqlite.'),
    sqlite: z
      .strictObject({
        path: z.string().optional().describe("Database file. Default './.loom/loom.db'."),
        synchronous: z.enum(['FULL', 'NORMAL']).optional().describe("'FULL' (every commit survives power loss) or 'NORMAL'. Default 'FULL'."),
        busyTimeout: duration("How long a write waits for another process's lock. Default 5000.").optional(),
      })
      .optional()
      .describe('The embedded SQLite store.'),
    postgres: postgres.optional(),
    cosmos: cosmos.optional(),
    redis: redis.optional(),
    transport: z
      .enum(['none', 'bullmq', 'redis-streams', 'redis-pubsub', 'rabbitmq', 'postgres-notify'])
      .optional()
      .describe("What carries work notices to partition owners. Default: redis-pubsub on the redis store, postgres-notify on postgres, none on sqlite and memory (workers poll)."),
    bullmq: z
      .strictObject({
        prefix: z.string().min(1).optional().describe("BullMQ queue prefix. Default 'loom'."),
        lockDuration: duration('How long a job stays locked to a silent consumer. Default 5000.').optional(),
        concurrency: z.number().int().min(1).optional().describe('Unacknowledged notices per partition worker. Default 1000.'),
      })
      .optional()
      .describe('The BullMQ transport (connection from the redis section).'),
    redisStreams: z
      .strictObject({
        prefix: z.string().min(1).optional().describe("Stream key prefix. Default 'loom:'."),
        group: z.string().min(1).optional().describe("Consumer group. Default 'loom'."),
        maxLen: z.number().int().min(1).optional().describe('Approximate cap of each stream.'),
      })
      .optional()
      .describe('The Redis Streams transport (connection from the redis section).'),
    rabbitmq: z
      .strictObject({
        url: z.string().optional().describe("amqp:// URL, or a secret reference. Default 'amqp://localhost'."),
        prefix: z.string().min(1).optional().describe("Queue name prefix. Default 'loom'."),
        deliveryLimit: z.number().int().min(1).optional().describe('Deliveries of a notice before it is parked. Default 20.'),
        prefetch: z.number().int().min(1).max(65_535).optional().describe('Unacknowledged deliveries per consumer. Default 256.'),
      })
      .optional()
      .describe('The RabbitMQ transport.'),
    runtime: z
      .strictObject({
        partitions: z.number().int().min(1).optional().describe('Partitions actor ids hash to; the same on every worker of a store. Default 64.'),
        leaseTtl: duration('Partition lease TTL. Default 10000.').optional(),
        pollInterval: duration('How often the store is polled for work. Default 250.').optional(),
        maxPayloadSize: size('Largest message or result as JSON. Default 1mb.').optional(),
        maxActivations: z.number().int().min(1).optional().describe('Activations kept in memory at most. Default 10000.'),
        idleTimeout: duration('An idle activation is evicted after this. Default 60000.').optional(),
        maxConcurrency: z.number().int().min(1).optional().describe('Handlers running at once across all actors. Default 1000.'),
        sweepInterval: duration('How often expired records are swept. Default 60000.').optional(),
        deadLetterTtl: duration('How long dead letters are kept. Default 7d.').optional(),
        eagerStart: z.boolean().optional().describe('Start a local message while its enqueue commits. Default true.'),
        parkSleepsUpTo: duration('A sleep up to this long keeps its handler in memory and goes on in place instead of replaying its journal; 0: every sleep replays. Default 10000.').optional(),
        workerId: z.string().min(1).optional().describe('This worker\'s name in leases. Default host:pid:random.'),
      })
      .optional()
      .describe('Worker settings.'),
    defaults: z.strictObject(actorFields).optional().describe('Settings of every actor type, under its own.'),
    actors: z.record(z.string(), actorSchema).optional().describe('Settings per actor type.'),
    observability: z
      .strictObject({
        enabled: z.boolean().optional().describe('Serve /health and /metrics. Default false.'),
        port: z.number().int().min(0).max(65_535).optional().describe('Port of the health and metrics server. Default 9090.'),
        host: z.string().optional().describe("Interface to listen on. Default '0.0.0.0'."),
      })
      .optional()
      .describe('The health and metrics server.'),
    secrets: z
      .strictObject({
        ttl: duration('A cached secret is used without asking its provider for this long. Default 5m.').optional(),
        maxAge: duration('During a provider outage the last good value serves this long, then attempts fail. Default 1h.').optional(),
        refreshInterval: duration('How often secrets in use are refreshed in the background. Default: ttl.').optional(),
        vaults: z.record(z.string(), z.string().url({ error: 'expected the vault URL, e.g. https://my-vault.vault.azure.net' })).optional().describe('Vault URL by the name used in vault://<name>/…; default https://<name>.vault.azure.net.'),
      })
      .optional()
      .describe('How secret references are resolved and cached.'),
  })
  .describe('Loom configuration (loom.config.yaml).');

/** A validated configuration, as `loadConfig` returns it. */
export type LoomConfig = z.infer<typeof configSchema>;
/** Settings of one actor type in the configuration. */
export type ActorConfig = z.infer<typeof actorSchema>;
