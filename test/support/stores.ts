// Fresh stores on every backend, for suites that run the same tests on each:
// memory, SQLite (temp file), Redis (own prefix) and PostgreSQL (own schema).
import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { RedisStore } from '../../src/adapters/redis/index.js';
import { PostgresStore } from '../../src/adapters/postgres/index.js';
import { openAdmin, dropPrefix, redisUrl } from './redis.js';
import { adminPool, postgresUrl, unreachable } from './postgres.js';
import { backendUnavailable } from './backend.js';
import { tempDir } from './runtime.js';

export type StoreKind = 'memory' | 'sqlite' | 'redis' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['memory', 'sqlite', 'redis', 'postgres'];

/** Makes fresh (uninitialized) stores of one kind; each namespace is dropped by `cleanup`. */
export interface StoreMaker {
  kind: StoreKind;
  /** A new namespace's store. Several stores of one `ns` share data (like several processes would). */
  make(ns?: string): Store;
  newNamespace(): string;
  /** What a child process passes to `childStore` to open the store of `ns` (undefined for memory). */
  childSpec(ns: string): string | undefined;
  cleanup(): Promise<void>;
}

/**
 * Declares `suite` once per backend, calling `body` with a maker for it; a
 * backend that cannot be reached gets the project's unavailable-backend test.
 */
export async function forEachStore(suite: string, body: (maker: StoreMaker) => void, kinds: StoreKind[] = STORE_KINDS): Promise<void> {
  for (const kind of kinds) {
    const maker = await makerFor(kind);
    if (typeof maker === 'string') backendUnavailable(`${suite} (${kind})`, kind, maker, kind === 'redis' ? 'LOOM_TEST_REDIS_URL' : 'LOOM_TEST_POSTGRES_URL');
    else body(maker);
  }
}

async function makerFor(kind: StoreKind): Promise<StoreMaker | string> {
  const ns = (): string => `loom_t_${randomBytes(5).toString('hex')}`;
  if (kind === 'memory') {
    const shared = new Map<string, MemoryStore>();
    return { kind, newNamespace: ns, childSpec: () => undefined, make: (n = ns()) => shared.get(n) ?? shared.set(n, new MemoryStore()).get(n)!, cleanup: async () => {} };
  }
  if (kind === 'sqlite') {
    const t = tempDir();
    return { kind, newNamespace: ns, childSpec: (n) => `sqlite:${t.dir}/${n}.db`, make: (n = ns()) => new SqliteStore({ path: `${t.dir}/${n}.db` }), cleanup: async () => t.cleanup() };
  }
  if (kind === 'redis') {
    const { admin, unreachable: why } = await openAdmin();
    if (why) return why;
    const used = new Set<string>();
    return {
      kind,
      newNamespace: ns,
      childSpec: (n) => (used.add(n), `redis:${n}:`),
      make: (n = ns()) => (used.add(n), new RedisStore(redisUrl, { prefix: `${n}:`, logger: silentLogger })),
      cleanup: async () => {
        for (const n of used) await dropPrefix(admin, `${n}:`);
        await admin.quit();
      },
    };
  }
  const admin = adminPool();
  const why = await unreachable(admin);
  if (why) {
    await admin.end();
    return why;
  }
  const used = new Set<string>();
  return {
    kind,
    newNamespace: ns,
    childSpec: (n) => (used.add(n), `postgres:${n}`),
    make: (n = ns()) => (used.add(n), new PostgresStore({ connectionString: postgresUrl, max: 4 }, { schema: n, logger: silentLogger })),
    cleanup: async () => {
      for (const n of used) await admin.query(`DROP SCHEMA IF EXISTS ${n} CASCADE`);
      await admin.end();
    },
  };
}
