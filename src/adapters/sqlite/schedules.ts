import type Database from 'better-sqlite3';
import type { ScheduleCursor, ScheduleRecord, ScheduleStore } from '../../ports/schedules.js';
import { lazyTables } from './lazy-tables.js';

interface Row {
  id: string;
  spec_json: string;
  paused: number;
  cursor_tick: number;
  cursor_enqueued: number;
  updated_at: number;
}

const DDL = `CREATE TABLE IF NOT EXISTS loom_schedules (
  id TEXT PRIMARY KEY, spec_json TEXT NOT NULL, paused INTEGER NOT NULL,
  cursor_tick INTEGER NOT NULL, cursor_enqueued INTEGER NOT NULL, updated_at INTEGER NOT NULL)`;

/** Schedules in the SQLite file; the cursor moves by a conditional UPDATE. */
export class SqliteSchedules implements ScheduleStore {
  private readonly db: () => Database.Database;

  constructor(handle: () => Database.Database) {
    this.db = lazyTables(handle, DDL);
  }

  async put(id: string, specJson: string, paused: boolean, cursor: ScheduleCursor): Promise<ScheduleRecord> {
    const db = this.db();
    const row = db
      .prepare(
        `INSERT INTO loom_schedules (id, spec_json, paused, cursor_tick, cursor_enqueued, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET spec_json = excluded.spec_json, paused = excluded.paused, updated_at = excluded.updated_at
         RETURNING *`,
      )
      .get(id, specJson, paused ? 1 : 0, cursor.tick, cursor.enqueued ? 1 : 0, Date.now()) as Row;
    return toRecord(row);
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    const row = this.db().prepare('SELECT * FROM loom_schedules WHERE id = ?').get(id) as Row | undefined;
    return row && toRecord(row);
  }

  async list(): Promise<ScheduleRecord[]> {
    return (this.db().prepare('SELECT * FROM loom_schedules ORDER BY id').all() as Row[]).map(toRecord);
  }

  async delete(id: string): Promise<boolean> {
    return this.db().prepare('DELETE FROM loom_schedules WHERE id = ?').run(id).changes > 0;
  }

  async advance(id: string, from: ScheduleCursor, to: ScheduleCursor): Promise<boolean> {
    const res = this.db()
      .prepare(
        `UPDATE loom_schedules SET cursor_tick = ?, cursor_enqueued = ?, updated_at = ?
         WHERE id = ? AND cursor_tick = ? AND cursor_enqueued = ?`,
      )
      .run(to.tick, to.enqueued ? 1 : 0, Date.now(), id, from.tick, from.enqueued ? 1 : 0);
    return res.changes > 0;
  }
}

function toRecord(r: Row): ScheduleRecord {
  return { id: r.id, specJson: r.spec_json, paused: r.paused === 1, cursor: { tick: r.cursor_tick, enqueued: r.cursor_enqueued === 1 }, updatedAt: r.updated_at };
}
