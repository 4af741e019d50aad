import type { Pool } from 'pg';
import type { DiscoveryEntry, DiscoveryEntryInput, DiscoveryStore } from '../../ports/discovery.js';
import type { ExtraTables } from './extra-tables.js';

interface Row {
  actor_type: string;
  actor_id: string;
  capabilities: string[];
  metadata: Record<string, unknown>;
  owner: string;
  load: number;
  expires_at: string;
}

/** Discovery entries in PostgreSQL, expiring on the database clock; a GIN index serves `find`. */
export class PostgresDiscovery implements DiscoveryStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    private readonly tables: ExtraTables,
    private readonly guard: <T>(op: string, fn: () => Promise<T>) => Promise<T>,
  ) {
    this.table = `${tables.schema}.loom_discovery`;
  }

  private async query(op: string, sql: string, values: unknown[]): Promise<Row[]> {
    return this.guard(op, async () => {
      await this.tables.ensure(
        'loom_discovery',
        `CREATE TABLE IF NOT EXISTS ${this.table} (actor_type text NOT NULL, actor_id text NOT NULL, capabilities text[] NOT NULL,
           metadata jsonb NOT NULL, owner text NOT NULL, load double precision NOT NULL, expires_at timestamptz NOT NULL,
           PRIMARY KEY (actor_type, actor_id));
         CREATE INDEX IF NOT EXISTS loom_discovery_caps ON ${this.table} USING gin (capabilities)`,
      );
      return (await this.pool.query<Row>(sql, values)).rows;
    });
  }

  async put(e: DiscoveryEntryInput, ttlMs: number): Promise<void> {
    await this.query(
      `registering ${e.actorType}/${e.actorId} for discovery`,
      `WITH gone AS (DELETE FROM ${this.table} WHERE expires_at < now() - interval '1 minute')
       INSERT INTO ${this.table} (actor_type, actor_id, capabilities, metadata, owner, load, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 millisecond')
       ON CONFLICT (actor_type, actor_id) DO UPDATE SET capabilities = excluded.capabilities, metadata = excluded.metadata,
         owner = excluded.owner, load = excluded.load, expires_at = excluded.expires_at`,
      [e.actorType, e.actorId, e.capabilities, JSON.stringify(e.metadata), e.owner, e.load, ttlMs],
    );
  }

  async find(capability: string): Promise<DiscoveryEntry[]> {
    const rows = await this.query(
      `finding capability ${capability}`,
      `SELECT actor_type, actor_id, capabilities, metadata, owner, load, (extract(epoch from expires_at) * 1000)::bigint::text AS expires_at
       FROM ${this.table} WHERE capabilities @> ARRAY[$1]::text[] AND expires_at > now() ORDER BY actor_type COLLATE "C", actor_id COLLATE "C"`,
      [capability],
    );
    return rows.map((r) => ({
      actorType: r.actor_type,
      actorId: r.actor_id,
      capabilities: r.capabilities,
      metadata: r.metadata,
      owner: r.owner,
      load: Number(r.load),
      expiresAt: Number(r.expires_at),
    }));
  }

  async remove(actorType: string, actorId: string): Promise<boolean> {
    const rows = await this.query(`unregistering ${actorType}/${actorId}`, `DELETE FROM ${this.table} WHERE actor_type = $1 AND actor_id = $2 RETURNING actor_id`, [actorType, actorId]);
    return rows.length > 0;
  }
}
