import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { LoomError } from '../../core/errors.js';
import type { Store } from '../../ports/store.js';
import { silentLogger } from '../../core/logger.js';

/** Where the CLI finds the store when `--store` is not given. */
export const DEFAULT_STORE = './.loom/loom.db';

/** The store URL to use: the flag, else `LOOM_STORE`, else the embedded default. */
export function storeUrl(flag: string | undefined): string {
  return flag ?? process.env.LOOM_STORE ?? DEFAULT_STORE;
}

/**
 * Opens the store a `--store` URL names: `redis://host:port[?prefix=loom:]`,
 * `postgres://user@host/db[?schema=loom]`, or a SQLite file path (`sqlite:path`
 * also works). A SQLite file must exist already: the CLI never creates an
 * empty store by accident.
 */
export async function openStoreUrl(url: string): Promise<Store> {
  if (/^rediss?:\/\//.test(url)) {
    const u = new URL(url);
    const prefix = u.searchParams.get('prefix') ?? undefined;
    u.searchParams.delete('prefix');
    const { RedisStore } = await lazy(() => import('../../adapters/redis/store.js'), 'ioredis');
    return new RedisStore(u.toString(), { ...(prefix ? { prefix } : {}), logger: { warn: () => {} } });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const u = new URL(url);
    const schema = u.searchParams.get('schema') ?? undefined;
    u.searchParams.delete('schema');
    const { PostgresStore } = await lazy(() => import('../../adapters/postgres/store.js'), 'pg');
    return new PostgresStore(u.toString(), { ...(schema ? { schema } : {}), logger: silentLogger });
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new LoomError('LOOM_CLI', `--store ${url}: unknown kind of store; use a SQLite file path, redis://host:6379 or postgres://user@host/db`);
  }
  if (!existsSync(path)) {
    throw new LoomError('LOOM_CLI', `no Loom store at ${resolve(path)}: pass --store <sqlite file | redis://… | postgres://…>, set LOOM_STORE, or start one with loom dev`);
  }
  const { SqliteStore } = await import('../../adapters/sqlite/store.js');
  return new SqliteStore({ path });
}

async function lazy<T>(load: () => Promise<T>, driver: string): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new LoomError('LOOM_CLI', `this store needs the ${driver} driver: npm install ${driver}`, { cause });
    }
    throw cause;
  }
}
