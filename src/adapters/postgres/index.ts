/**
 * `loom/postgres`: the PostgreSQL store, with fenced partition leases. Needs the
 * `pg` package (an optional peer dependency of Loom).
 *
 * @example
 * const store = new PostgresStore('postgres://loom@db:5432/app', { schema: 'loom' });
 * await store.init();
 */

/** The PostgreSQL implementation of the Store port; `init()` creates or migrates its schema. */
export { PostgresStore } from './store.js';
/** Options of `PostgresStore`: the schema to use and where to log. */
export type { PostgresStoreOptions } from './store.js';
/** The fenced leases of a `PostgresStore` (reach them as `store.leases`). */
export { PostgresLeases } from './leases.js';
/** Wakes partition owners through LISTEN/NOTIFY; at most once, the store poll stays the safety net. */
export { PostgresNotifier } from './notifier.js';
/** Options of `PostgresNotifier`: the schema (or channel) and where to log. */
export type { PostgresNotifierOptions } from './notifier.js';
