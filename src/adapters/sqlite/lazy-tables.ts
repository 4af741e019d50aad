import type Database from 'better-sqlite3';

/**
 * The database a feature's tables live in, created on its first use (per open
 * connection, as `init()` reopens it): a store that never uses schedules or
 * discovery never gets their tables.
 */
export function lazyTables(handle: () => Database.Database, ddl: string): () => Database.Database {
  const ready = new WeakSet<Database.Database>();
  return () => {
    const db = handle();
    if (!ready.has(db)) {
      db.exec(ddl);
      ready.add(db);
    }
    return db;
  };
}
