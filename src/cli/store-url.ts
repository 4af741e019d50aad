import type { Store } from '../ports/store.js';
import { ConfigError } from '../core/errors.js';

/**
 * A store from a URL: `redis://…` / `rediss://…`, `postgres://…` / `postgresql://…`,
 * `sqlite:<path>` or a plain file path (SQLite). Drivers load only when named.
 */
export async function openStoreUrl(url: string, opts: { prefix?: string; schema?: string } = {}): Promise<Store> {
  if (/^rediss?:\/\//.test(url)) {
    const { RedisStore } = await import('../adapters/redis/store.js');
    return new RedisStore(url, opts.prefix ? { prefix: opts.prefix } : {});
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresStore } = await import('../adapters/postgres/store.js');
    return new PostgresStore(url, opts.schema ? { schema: opts.schema } : {});
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file://')) {
    throw new ConfigError(`unknown store URL "${redactUrl(url)}": use a SQLite file path, redis://host:6379 or postgres://user@host/db`);
  }
  const { SqliteStore } = await import('../adapters/sqlite/store.js');
  return new SqliteStore({ path: url.replace(/^sqlite:/, '').replace(/^file:\/\//, '') });
}

/** The URL without its password, for display. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@');
}
