// The backends of the cluster tests and bench: how a worker (or the producer)
// builds its store and transport for a namespace, and how the test inspects
// and cleans up what a namespace left behind.
//
// A namespace is `loom_cluster_<hex>`: a valid PostgreSQL schema name, used
// as-is as the RabbitMQ queue prefix and, with a ':' appended, as the Redis
// key prefix (the Redis Streams transport shares that prefix).
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { CommitResult, ItemFailure, Lease, LeaseManager, Logger, NewInvocation, Store, TurnWrite } from '../../src/index.js';
import type { Transport } from '../../src/ports/transport.js';

export const BACKENDS = ['redis', 'postgres', 'postgres+rabbitmq', 'redis+streams'] as const;
export type BackendName = (typeof BACKENDS)[number];

export function isBackend(x: string | undefined): x is BackendName {
  return (BACKENDS as readonly string[]).includes(x ?? '');
}

/** The store under a backend name ('postgres+rabbitmq' → postgres). */
export const storeKind = (b: BackendName): 'redis' | 'postgres' => (b.startsWith('redis') ? 'redis' : 'postgres');

const env = (name: string): string | undefined => process.env[name] || undefined;

/** Where the services are. */
export interface Urls {
  redis: string;
  postgres: string;
  rabbitmq: string;
}

/**
 * The shared services, unless overridden: LOOM_CLUSTER_* (what a test sets for
 * its workers when it points them at a private server), then LOOM_TEST_*.
 */
export function serviceUrls(over: Partial<Urls> = {}): Urls {
  return {
    redis: over.redis ?? env('LOOM_CLUSTER_REDIS_URL') ?? env('LOOM_TEST_REDIS_URL') ?? 'redis://127.0.0.1:6379',
    postgres: over.postgres ?? env('LOOM_CLUSTER_POSTGRES_URL') ?? env('LOOM_TEST_POSTGRES_URL') ?? 'postgres://postgres@127.0.0.1:5432/test',
    rabbitmq: over.rabbitmq ?? env('LOOM_CLUSTER_RABBITMQ_URL') ?? env('LOOM_TEST_RABBITMQ_URL') ?? 'amqp://guest:guest@127.0.0.1:5672',
  };
}

/** The environment that points a worker at these URLs. */
export const urlEnv = (u: Urls): Record<string, string> => ({
  LOOM_CLUSTER_REDIS_URL: u.redis,
  LOOM_CLUSTER_POSTGRES_URL: u.postgres,
  LOOM_CLUSTER_RABBITMQ_URL: u.rabbitmq,
});

export const redisPrefix = (ns: string): string => `${ns}:`;

/** A fresh store for `ns` (not yet initialized). */
export async function createStore(backend: BackendName, ns: string, logger: Logger, u: Urls = serviceUrls()): Promise<Store> {
  if (storeKind(backend) === 'redis') {
    const { RedisStore } = await import('../../src/adapters/redis/index.js');
    return new RedisStore(u.redis, { prefix: redisPrefix(ns), logger });
  }
  const { PostgresStore } = await import('../../src/adapters/postgres/index.js');
  // A small pool per process: up to six processes share the server with other suites.
  return new PostgresStore({ connectionString: u.postgres, max: 5 }, { schema: ns, logger });
}

/** The transport of a backend variant, or undefined for the store-only backends. */
export async function createTransport(backend: BackendName, ns: string, logger: Logger, u: Urls = serviceUrls()): Promise<Transport | undefined> {
  if (backend === 'postgres+rabbitmq') {
    const { RabbitMQTransport } = await import('../../src/adapters/rabbitmq/index.js');
    return new RabbitMQTransport(u.rabbitmq, { prefix: ns, logger });
  }
  if (backend === 'redis+streams') {
    const { RedisStreamsTransport } = await import('../../src/adapters/redis/index.js');
    // Short claim time: a SIGKILLed consumer's notices are claimed by the next owner quickly.
    return new RedisStreamsTransport(u.redis, { prefix: redisPrefix(ns), logger, claimIdleMs: 1500, blockMs: 500 });
  }
  return undefined;
}

/** A store that reports every rejected turn (fenced or conflict) with `report`, leaving everything else alone. */
export function reportRejections(store: Store, report: (outcome: string, turn: TurnWrite) => void): Store {
  return new Proxy(store, {
    get(target, prop) {
      const reportAll = (turns: TurnWrite[], res: (CommitResult | ItemFailure)[]) =>
        res.forEach((r, i) => {
          if ('outcome' in r && r.outcome !== 'ok') report(r.outcome, turns[i]!);
        });
      // Writes applied at once would go around the reporting.
      if (prop === 'immediate') return undefined;
      if (prop === 'commit') {
        return async (turns: TurnWrite[]) => {
          const res = await target.commit(turns);
          reportAll(turns, res);
          return res;
        };
      }
      if (prop === 'write' && target.write) {
        const write = target.write.bind(target);
        return async (enqueues: NewInvocation[], turns: TurnWrite[]) => {
          const res = await write(enqueues, turns);
          reportAll(turns, res.committed);
          return res;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * The producer's view of a store: everything as is, except that it never joins
 * the members and never takes a lease, so it owns no partition and the workers
 * share all of them among themselves. (ActorRuntime has no option for a
 * send-only runtime; EngineOptions.wantedPartitions is not exposed, and would
 * still heartbeat the membership, leaving its fair share unowned.)
 */
export function sendOnly(store: Store): Store {
  const real = store.leases;
  const leases: LeaseManager = {
    acquire: async () => undefined,
    renew: async () => undefined,
    release: async (_lease: Lease) => {},
    list: () => real.list(),
    heartbeat: async () => {},
    members: () => real.members(),
    leave: async () => {},
    // It still hashes ids to partitions: it must agree with the workers.
    claimPartitionCount: (count) => real.claimPartitionCount(count),
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'leases') return leases;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** One invocation as the inspector reads it straight from the backend. */
export interface InvRow {
  id: string;
  actorType: string;
  actorId: string;
  idempotencyKey: string | undefined;
  status: string;
  resultJson: string | undefined;
}

/** An invocation's outcome and its store-clock times (createdAt = accepted, updatedAt = last commit). */
export interface InvTimes {
  status: string;
  resultJson: string | undefined;
  createdAt: number;
  updatedAt: number;
}

/** Direct reads of a namespace, and its removal. */
export interface Inspector {
  /** Non-terminal invocations in the namespace. */
  pending(): Promise<number>;
  /** Every invocation record of the namespace. */
  invocations(): Promise<InvRow[]>;
  /** Status, result and store-clock times of these invocations, in one round trip (absent ids are left out). */
  records(ids: readonly string[]): Promise<Map<string, InvTimes>>;
  /** Deletes everything the namespace created (keys / schema / queues). */
  drop(): Promise<void>;
  close(): Promise<void>;
}

const PARTITIONS = 64;

export async function openInspector(backend: BackendName, ns: string, u: Urls = serviceUrls()): Promise<Inspector> {
  const base = storeKind(backend) === 'redis' ? await redisInspector(ns, u.redis) : await postgresInspector(ns, u.postgres);
  if (backend !== 'postgres+rabbitmq') return base;
  return {
    ...base,
    drop: async () => {
      await base.drop();
      await dropRabbitTopology(ns, u.rabbitmq);
    },
  };
}

async function redisInspector(ns: string, url: string): Promise<Inspector> {
  const { Redis } = await import('ioredis');
  const prefix = redisPrefix(ns);
  const r: Redis = new Redis(url, { maxRetriesPerRequest: 3 });
  r.on('error', () => {});
  const keys = async (match: string): Promise<string[]> => {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await r.scan(cursor, 'MATCH', match, 'COUNT', 2000);
      cursor = next;
      out.push(...found);
    } while (cursor !== '0');
    return out;
  };
  return {
    pending: async () => {
      const pipe = r.pipeline();
      for (let p = 0; p < PARTITIONS; p++) pipe.zcard(`${prefix}pending:${p}`);
      const res = (await pipe.exec()) ?? [];
      return res.reduce((s, [err, n]) => {
        if (err) throw err;
        return s + Number(n);
      }, 0);
    },
    invocations: async () => {
      const ks = await keys(`${prefix}inv:*`);
      const out: InvRow[] = [];
      for (let i = 0; i < ks.length; i += 1000) {
        const pipe = r.pipeline();
        for (const k of ks.slice(i, i + 1000)) pipe.hmget(k, 'id', 'actorType', 'actorId', 'idempotencyKey', 'status', 'resultJson');
        for (const [err, v] of (await pipe.exec()) ?? []) {
          if (err) throw err;
          const [id, actorType, actorId, idempotencyKey, status, resultJson] = v as (string | null)[];
          out.push({ id: id ?? '', actorType: actorType ?? '', actorId: actorId ?? '', idempotencyKey: idempotencyKey ?? undefined, status: status ?? '', resultJson: resultJson ?? undefined });
        }
      }
      return out;
    },
    records: async (ids) => {
      const out = new Map<string, InvTimes>();
      if (ids.length === 0) return out;
      const pipe = r.pipeline();
      for (const id of ids) pipe.hmget(`${prefix}inv:${id}`, 'status', 'resultJson', 'createdAt', 'updatedAt');
      ((await pipe.exec()) ?? []).forEach(([err, v], i) => {
        if (err) throw err;
        const [status, resultJson, createdAt, updatedAt] = v as (string | null)[];
        if (status) out.set(ids[i]!, { status, resultJson: resultJson ?? undefined, createdAt: Number(createdAt), updatedAt: Number(updatedAt) });
      });
      return out;
    },
    drop: async () => {
      const ks = await keys(`${prefix}*`);
      for (let i = 0; i < ks.length; i += 1000) await r.unlink(...ks.slice(i, i + 1000));
    },
    close: async () => {
      r.disconnect();
    },
  };
}

async function postgresInspector(schema: string, url: string): Promise<Inspector> {
  const pg = (await import('pg')).default;
  const pool: Pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  return {
    pending: async () => {
      const res = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.invocations WHERE status = 'pending'`);
      return Number(res.rows[0]?.n ?? 0);
    },
    invocations: async () => {
      const res = await pool.query<{ id: string; actor_type: string; actor_id: string; idempotency_key: string | null; status: string; result_json: string | null }>(
        `SELECT id, actor_type, actor_id, idempotency_key, status, result_json FROM ${schema}.invocations`,
      );
      return res.rows.map((x) => ({
        id: x.id,
        actorType: x.actor_type,
        actorId: x.actor_id,
        idempotencyKey: x.idempotency_key ?? undefined,
        status: x.status,
        resultJson: x.result_json ?? undefined,
      }));
    },
    records: async (ids) => {
      const out = new Map<string, InvTimes>();
      if (ids.length === 0) return out;
      const res = await pool.query<{ id: string; status: string; result_json: string | null; created_at: string; updated_at: string }>(
        `SELECT id, status, result_json, created_at, updated_at FROM ${schema}.invocations WHERE id = ANY($1)`,
        [ids],
      );
      for (const x of res.rows) out.set(x.id, { status: x.status, resultJson: x.result_json ?? undefined, createdAt: Number(x.created_at), updatedAt: Number(x.updated_at) });
      return out;
    },
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
    close: () => pool.end(),
  };
}

async function dropRabbitTopology(prefix: string, url: string): Promise<void> {
  const amqp = (await import('amqplib')).default;
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createChannel();
    for (let p = 0; p < PARTITIONS; p++) await ch.deleteQueue(`${prefix}.p${p}`);
    await ch.deleteQueue(`${prefix}.dead`);
    await ch.deleteExchange(`${prefix}.dlx`);
  } finally {
    await conn.close();
  }
}
