import type { Pool } from 'pg';
import type { ScheduleCursor, ScheduleRecord, ScheduleStore } from '../../ports/schedules.js';
import type { ExtraTables } from './extra-tables.js';

interface Row {
  id: string;
  spec_json: string;
  paused: boolean;
  cursor_tick: string;
  cursor_enqueued: boolean;
  updated_at: string;
}

const COLUMNS = `id, spec_json, paused, cursor_tick::text AS cursor_tick, cursor_enqueued, (extract(epoch from updated_at) * 1000)::bigint::text AS updated_at`;

/** Schedules in PostgreSQL; the cursor moves by a conditional UPDATE. */
export class PostgresSchedules implements ScheduleStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    private readonly tables: ExtraTables,
    private readonly guard: <T>(op: string, fn: () => Promise<T>) => Promise<T>,
  ) {
    this.table = `${tables.schema}.loom_schedules`;
  }

  private async query(op: string, sql: string, values: unknown[]): Promise<Row[]> {
    return this.guard(op, async () => {
      await this.tables.ensure(
        'loom_schedules',
        `CREATE TABLE IF NOT EXISTS ${this.table} (id text PRIMARY KEY, spec_json text NOT NULL, paused boolean NOT NULL,
           cursor_tick bigint NOT NULL, cursor_enqueued boolean NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
      );
      return (await this.pool.query<Row>(sql, values)).rows;
    });
  }

  async put(id: string, specJson: string, paused: boolean, cursor: ScheduleCursor): Promise<ScheduleRecord> {
    const rows = await this.query(
      `saving schedule ${id}`,
      `INSERT INTO ${this.table} (id, spec_json, paused, cursor_tick, cursor_enqueued) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET spec_json = excluded.spec_json, paused = excluded.paused, updated_at = now()
       RETURNING ${COLUMNS}`,
      [id, specJson, paused, cursor.tick, cursor.enqueued],
    );
    return toRecord(rows[0]!);
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    const rows = await this.query(`reading schedule ${id}`, `SELECT ${COLUMNS} FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async list(): Promise<ScheduleRecord[]> {
    return (await this.query('listing schedules', `SELECT ${COLUMNS} FROM ${this.table} ORDER BY id COLLATE "C"`, [])).map(toRecord);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.query(`deleting schedule ${id}`, `DELETE FROM ${this.table} WHERE id = $1 RETURNING id`, [id])).length > 0;
  }

  async advance(id: string, from: ScheduleCursor, to: ScheduleCursor): Promise<boolean> {
    const rows = await this.query(
      `advancing schedule ${id}`,
      `UPDATE ${this.table} SET cursor_tick = $2, cursor_enqueued = $3, updated_at = now()
       WHERE id = $1 AND cursor_tick = $4 AND cursor_enqueued = $5 RETURNING id`,
      [id, to.tick, to.enqueued, from.tick, from.enqueued],
    );
    return rows.length > 0;
  }
}

function toRecord(r: Row): ScheduleRecord {
  return { id: r.id, specJson: r.spec_json, paused: r.paused, cursor: { tick: Number(r.cursor_tick), enqueued: r.cursor_enqueued }, updatedAt: Number(r.updated_at) };
}
