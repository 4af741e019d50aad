import type { ConfigProblem } from './errors.js';
import type { LoomConfig } from './schema.js';

type StoreKind = NonNullable<LoomConfig['store']>;
type TransportKind = NonNullable<LoomConfig['transport']>;

/** The store a configuration uses: its `store`, else the one backend section given, else sqlite. */
export function storeOf(c: LoomConfig): StoreKind {
  if (c.store) return c.store;
  if (c.postgres && !c.redis) return 'postgres';
  if (c.redis && !c.postgres) return 'redis';
  if (c.cosmos) return 'cosmos';
  return 'sqlite';
}

/** The transport a configuration uses: its `transport`, else the one transport section given, else the store's notifier. */
export function transportOf(c: LoomConfig): TransportKind {
  if (c.transport) return c.transport;
  const sections = (['bullmq', 'redisStreams', 'rabbitmq'] as const).filter((k) => c[k]);
  if (sections.length === 1) return sections[0] === 'redisStreams' ? 'redis-streams' : sections[0]!;
  const store = storeOf(c);
  return store === 'redis' ? 'redis-pubsub' : store === 'postgres' ? 'postgres-notify' : 'none';
}

/** Problems no single key shows: a section that the chosen store and transport would ignore. */
export function crossCheck(c: LoomConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!c.store && c.postgres && c.redis) {
    problems.push({ path: 'store', message: 'both postgres and redis are configured: set store to the one that holds the data (the other may serve the transport)' });
  }
  if (!c.transport && [c.bullmq, c.redisStreams, c.rabbitmq].filter(Boolean).length > 1) {
    problems.push({ path: 'transport', message: 'several transport sections are given: set transport to the one to use' });
  }
  const store = storeOf(c);
  const transport = transportOf(c);
  const unused = (section: string, why: string) => problems.push({ path: section, message: `is given but not used: ${why}` });
  if (c.sqlite && store !== 'sqlite') unused('sqlite', `store is ${store}`);
  if (c.cosmos && store !== 'cosmos') unused('cosmos', `store is ${store}`);
  if (store === 'cosmos' && !c.cosmos?.connectionString && !c.cosmos?.endpoint) problems.push({ path: 'cosmos', message: 'store is cosmos: give cosmos.endpoint (with key or managedIdentity) or cosmos.connectionString' });
  if (store === 'cosmos' && c.cosmos?.endpoint && !c.cosmos.connectionString && !c.cosmos.key && !c.cosmos.managedIdentity) problems.push({ path: 'cosmos.key', message: 'cosmos.endpoint needs a key (or a secret reference to one), or managedIdentity: true' });
  if (c.postgres && store !== 'postgres' && transport !== 'postgres-notify') unused('postgres', `store is ${store} and transport is ${transport}`);
  const redisTransport = transport === 'bullmq' || transport === 'redis-streams' || transport === 'redis-pubsub';
  if (c.redis && store !== 'redis' && !redisTransport) unused('redis', `store is ${store} and transport is ${transport}`);
  if (c.bullmq && transport !== 'bullmq') unused('bullmq', `transport is ${transport}`);
  if (c.redisStreams && transport !== 'redis-streams') unused('redisStreams', `transport is ${transport}`);
  if (c.rabbitmq && transport !== 'rabbitmq') unused('rabbitmq', `transport is ${transport}`);
  return problems;
}
