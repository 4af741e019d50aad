import { describe } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/ports/store.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { RedisStore } from '../../src/adapters/redis/index.js';
import { PostgresStore } from '../../src/adapters/postgres/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDir } from '../support/runtime.js';
import { dropPrefix, openAdmin, redisUrl } from '../support/redis.js';
import { adminPool, postgresUrl, unreachable } from '../support/postgres.js';
import { backendUnavailable } from '../support/backend.js';

/** A fresh store of one backend, isolated (own file, prefix or schema), and how to remove it. */
export interface Opened {
  store: Store;
  cleanup(): Promise<void>;
}

export type StoreName = 'memory' | 'sqlite' | 'redis' | 'postgres';

/** Makers for every backend that keeps trace events; a missing service fails in CI and is skipped elsewhere. */
export async function traceBackends(suite: string): Promise<{ name: StoreName; open: () => Promise<Opened> }[]> {
  const out: { name: StoreName; open: () => Promise<Opened> }[] = [
    { name: 'memory', open: async () => ({ store: new MemoryStore(), cleanup: async () => {} }) },
    {
      name: 'sqlite',
      open: async () => {
        const tmp = tempDir();
        return { store: new SqliteStore({ path: tmp.db, synchronous: 'NORMAL' }), cleanup: async () => tmp.cleanup() };
      },
    },
  ];
  const { admin, unreachable: noRedis } = await openAdmin();
  if (noRedis) backendUnavailable(`${suite} on Redis`, 'Redis', noRedis, 'LOOM_TEST_REDIS_URL');
  else {
    admin.disconnect();
    out.push({
      name: 'redis',
      open: async () => {
        const prefix = `obs-${randomBytes(4).toString('hex')}:`;
        return {
          store: new RedisStore(redisUrl, { prefix, logger: silentLogger }),
          cleanup: async () => {
            const { admin: a } = await openAdmin();
            await dropPrefix(a, prefix);
            a.disconnect();
          },
        };
      },
    });
  }
  const pool = adminPool();
  const noPg = await unreachable(pool);
  await pool.end();
  if (noPg) backendUnavailable(`${suite} on PostgreSQL`, 'PostgreSQL', noPg, 'LOOM_TEST_POSTGRES_URL');
  else {
    out.push({
      name: 'postgres',
      open: async () => {
        const schema = `obs_${randomBytes(4).toString('hex')}`;
        return {
          store: new PostgresStore(postgresUrl, { schema, logger: silentLogger }),
          cleanup: async () => {
            const p = adminPool();
            await p.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
            await p.end();
          },
        };
      },
    });
  }
  return out;
}

export { describe };

/** Polls `cond` every 10 ms until it holds, failing after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
