export { SqliteStore, type SqliteStoreOptions } from './store.js';
export { SqliteLeases } from './leases.js';
