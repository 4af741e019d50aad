import type Database from 'better-sqlite3';
import type { DiscoveryEntry, DiscoveryEntryInput, DiscoveryStore } from '../../ports/discovery.js';
import { lazyTables } from './lazy-tables.js';

interface Row {
  actor_type: string;
  actor_id: string;
  capabilities: string;
  metadata: string;
  owner: string;
  load: number;
  expires_at: number;
}

const DDL = `CREATE TABLE IF NOT EXISTS loom_discovery (
  actor_type TEXT NOT NULL, actor_id TEXT NOT NULL, capabilities TEXT NOT NULL, metadata TEXT NOT NULL,
  owner TEXT NOT NULL, load REAL NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (actor_type, actor_id));
CREATE TABLE IF NOT EXISTS loom_discovery_caps (
  capability TEXT NOT NULL, actor_type TEXT NOT NULL, actor_id TEXT NOT NULL, PRIMARY KEY (capability, actor_type, actor_id))`;

/** Discovery entries in the SQLite file, with a capability index table; expiry on the local clock. */
export class SqliteDiscovery implements DiscoveryStore {
  private readonly db: () => Database.Database;

  constructor(handle: () => Database.Database) {
    this.db = lazyTables(handle, DDL);
  }

  async put(e: DiscoveryEntryInput, ttlMs: number): Promise<void> {
    const db = this.db();
    db.transaction(() => {
      const now = Date.now();
      db.prepare(
        `DELETE FROM loom_discovery_caps WHERE (actor_type, actor_id) IN (SELECT actor_type, actor_id FROM loom_discovery WHERE expires_at <= ?)`,
      ).run(now);
      db.prepare('DELETE FROM loom_discovery WHERE expires_at <= ?').run(now);
      db.prepare('DELETE FROM loom_discovery_caps WHERE actor_type = ? AND actor_id = ?').run(e.actorType, e.actorId);
      db.prepare(
        `INSERT INTO loom_discovery (actor_type, actor_id, capabilities, metadata, owner, load, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (actor_type, actor_id) DO UPDATE SET capabilities = excluded.capabilities, metadata = excluded.metadata,
           owner = excluded.owner, load = excluded.load, expires_at = excluded.expires_at`,
      ).run(e.actorType, e.actorId, JSON.stringify(e.capabilities), JSON.stringify(e.metadata), e.owner, e.load, now + ttlMs);
      const cap = db.prepare('INSERT OR IGNORE INTO loom_discovery_caps (capability, actor_type, actor_id) VALUES (?, ?, ?)');
      for (const c of e.capabilities) cap.run(c, e.actorType, e.actorId);
    }).immediate();
  }

  async find(capability: string): Promise<DiscoveryEntry[]> {
    const rows = this.db()
      .prepare(
        `SELECT d.* FROM loom_discovery_caps c JOIN loom_discovery d ON d.actor_type = c.actor_type AND d.actor_id = c.actor_id
         WHERE c.capability = ? AND d.expires_at > ? ORDER BY d.actor_type, d.actor_id`,
      )
      .all(capability, Date.now()) as Row[];
    return rows.map((r) => ({
      actorType: r.actor_type,
      actorId: r.actor_id,
      capabilities: JSON.parse(r.capabilities) as string[],
      metadata: JSON.parse(r.metadata) as Record<string, unknown>,
      owner: r.owner,
      load: r.load,
      expiresAt: r.expires_at,
    }));
  }

  async remove(actorType: string, actorId: string): Promise<boolean> {
    const db = this.db();
    return db.transaction(() => {
      db.prepare('DELETE FROM loom_discovery_caps WHERE actor_type = ? AND actor_id = ?').run(actorType, actorId);
      return db.prepare('DELETE FROM loom_discovery WHERE actor_type = ? AND actor_id = ?').run(actorType, actorId).changes > 0;
    }).immediate();
  }
}
