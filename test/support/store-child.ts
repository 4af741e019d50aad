// Opens the store a parent test names in the environment (LOOM_CHILD_STORE =
// sqlite:<path> | redis:<prefix> | postgres:<schema>), for child processes of
// the discovery and schedule tests.
import type { Store } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { redisUrl } from './redis.js';
import { postgresUrl } from './postgres.js';

export async function childStore(spec = process.env.LOOM_CHILD_STORE ?? ''): Promise<Store> {
  const cut = spec.indexOf(':');
  const [kind, arg] = [spec.slice(0, cut), spec.slice(cut + 1)];
  if (kind === 'sqlite') {
    const { SqliteStore } = await import('../../src/adapters/sqlite/index.js');
    return new SqliteStore({ path: arg });
  }
  if (kind === 'redis') {
    const { RedisStore } = await import('../../src/adapters/redis/index.js');
    return new RedisStore(redisUrl, { prefix: arg, logger: silentLogger });
  }
  if (kind === 'postgres') {
    const { PostgresStore } = await import('../../src/adapters/postgres/index.js');
    return new PostgresStore({ connectionString: postgresUrl, max: 3 }, { schema: arg, logger: silentLogger });
  }
  throw new Error(`LOOM_CHILD_STORE must be sqlite:<path>, redis:<prefix> or postgres:<schema>, got "${spec}"`);
}
