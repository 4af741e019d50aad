import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { Lease, LeaseManager } from '../../ports/lease.js';

interface LeaseRow {
  partition: number;
  owner: string | null;
  epoch: number;
  expires_at: number | null;
}

/**
 * Fenced partition leases in the SQLite file. Owners are named
 * `host:pid:random`; a lease held by a process of this host that no longer
 * exists is taken at once instead of after its TTL, so a crashed embedded
 * worker restarts without waiting. Members (for rebalancing) are treated the
 * same way: a member that is a dead process of this host is dropped at once.
 */
export class SqliteLeases implements LeaseManager {
  constructor(private readonly db: () => Database.Database) {}

  async acquire(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const db = this.db();
    return db
      .transaction((): Lease | undefined => {
        const now = Date.now();
        const row = db.prepare('SELECT * FROM loom_leases WHERE partition = ?').get(partition) as LeaseRow | undefined;
        const live = row?.owner != null && (row.expires_at ?? 0) > now;
        if (row && live && row.owner !== owner && ownerAlive(row.owner!)) return undefined;
        const epoch = row && live && row.owner === owner ? row.epoch : (row?.epoch ?? 0) + 1;
        db.prepare(
          `INSERT INTO loom_leases (partition, owner, epoch, expires_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (partition) DO UPDATE SET owner = excluded.owner, epoch = excluded.epoch, expires_at = excluded.expires_at`,
        ).run(partition, owner, epoch, now + ttlMs);
        return { partition, owner, epoch, expiresAt: now + ttlMs };
      })
      .immediate();
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    const expiresAt = Date.now() + ttlMs;
    const res = this.db()
      .prepare('UPDATE loom_leases SET expires_at = ? WHERE partition = ? AND owner = ? AND epoch = ?')
      .run(expiresAt, lease.partition, lease.owner, lease.epoch);
    return res.changes === 1 ? { ...lease, expiresAt } : undefined;
  }

  async release(lease: Lease): Promise<void> {
    this.db()
      .prepare('UPDATE loom_leases SET owner = NULL, expires_at = NULL WHERE partition = ? AND owner = ? AND epoch = ?')
      .run(lease.partition, lease.owner, lease.epoch);
  }

  async list(): Promise<Lease[]> {
    const rows = this.db().prepare('SELECT * FROM loom_leases WHERE owner IS NOT NULL ORDER BY partition').all() as LeaseRow[];
    return rows.map((r) => ({ partition: r.partition, owner: r.owner!, epoch: r.epoch, expiresAt: r.expires_at ?? 0 }));
  }

  async heartbeat(owner: string, ttlMs: number): Promise<void> {
    const db = this.db();
    db.transaction(() => {
      const now = Date.now();
      db.prepare('DELETE FROM loom_members WHERE expires_at <= ?').run(now);
      db.prepare('INSERT INTO loom_members (owner, expires_at) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET expires_at = excluded.expires_at').run(owner, now + ttlMs);
    }).immediate();
  }

  async members(): Promise<string[]> {
    const db = this.db();
    const rows = db.prepare('SELECT owner FROM loom_members WHERE expires_at > ?').all(Date.now()) as { owner: string }[];
    const live = rows.map((r) => r.owner).filter(ownerAlive);
    if (live.length < rows.length) {
      // Crashed local workers: their names are never heartbeated again (a new process gets a new name).
      const del = db.prepare('DELETE FROM loom_members WHERE owner = ?');
      db.transaction(() => {
        for (const r of rows) if (!live.includes(r.owner)) del.run(r.owner);
      }).immediate();
    }
    return live.sort();
  }

  async leave(owner: string): Promise<void> {
    this.db().prepare('DELETE FROM loom_members WHERE owner = ?').run(owner);
  }

  async claimPartitionCount(count: number): Promise<number> {
    const db = this.db();
    return db
      .transaction((): number => {
        db.prepare(`INSERT INTO loom_meta (name, value) VALUES ('partitions', ?) ON CONFLICT (name) DO NOTHING`).run(String(count));
        return Number((db.prepare(`SELECT value FROM loom_meta WHERE name = 'partitions'`).get() as { value: string }).value);
      })
      .immediate();
  }
}

/** False only when the owner is a process of this host that has exited. */
function ownerAlive(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
