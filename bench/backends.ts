// The backends the benchmark can run on. Adding one is one factory: a name and
// a `create()` that returns a fresh, empty store plus how to clean it up.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../src/index.js';
import { MemoryStore } from '../src/adapters/memory/index.js';
import { SqliteStore } from '../src/adapters/sqlite/index.js';

/** A fresh store for one run; `cleanup()` runs after the runtime has stopped. */
export interface BenchStore {
  store: Store;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: string;
  /** Whether the all-backends run should include it (e.g. a server URL is configured). */
  available(): boolean;
  create(): Promise<BenchStore>;
}

const noop = async (): Promise<void> => {};

const unique = (): string => randomBytes(4).toString('hex');
const env = (name: string): string | undefined => process.env[name] || undefined;
const REDIS_URL = 'LOOM_BENCH_REDIS_URL';
const POSTGRES_URL = 'LOOM_BENCH_POSTGRES_URL';

function required(name: string): string {
  const v = env(name);
  if (!v) throw new Error(`set ${name} to run this backend (e.g. ${name}=${name === REDIS_URL ? 'redis://localhost:6379' : 'postgres://postgres@localhost:5432/postgres'})`);
  return v;
}

/**
 * The registry. Server-backed stores run when their URL is set; each run gets its own
 * key prefix or schema, removed afterwards. Adapters are imported lazily so a backend
 * that is not used is never loaded.
 */
export const BACKENDS: readonly Backend[] = [
  {
    name: 'memory',
    available: () => true,
    create: async () => ({ store: new MemoryStore(), cleanup: noop }),
  },
  {
    name: 'sqlite',
    available: () => true,
    create: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'loom-bench-'));
      const store = new SqliteStore({ path: join(dir, 'bench.db') });
      return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'redis',
    available: () => env(REDIS_URL) !== undefined,
    create: async () => {
      const url = required(REDIS_URL);
      const { RedisStore } = await import('../src/adapters/redis/index.js');
      const prefix = `loom-bench-${unique()}:`;
      return { store: new RedisStore(url, { prefix }), cleanup: () => dropRedisPrefix(url, prefix) };
    },
  },
  {
    name: 'postgres',
    available: () => env(POSTGRES_URL) !== undefined,
    create: async () => {
      const url = required(POSTGRES_URL);
      const { PostgresStore } = await import('../src/adapters/postgres/index.js');
      const schema = `loom_bench_${unique()}`;
      return { store: new PostgresStore(url, { schema }), cleanup: () => dropPostgresSchema(url, schema) };
    },
  },
];

async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export function backend(name: string): Backend {
  const b = BACKENDS.find((x) => x.name === name);
  if (!b) throw new Error(`unknown backend "${name}"; known: ${BACKENDS.map((x) => x.name).join(', ')}`);
  return b;
}
