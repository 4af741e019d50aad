import type Database from 'better-sqlite3';
import type { ActorDataStore, ActorDataWrite, LogBounds, LogEntry } from '../../ports/actor-data.js';

/** The statements of actor data, prepared once per connection. */
const SQL = {
  readKey: `SELECT value_json FROM loom_kv WHERE actor_type = ? AND actor_id = ? AND key = ?`,
  listKeys: `SELECT key FROM loom_kv WHERE actor_type = ? AND actor_id = ? AND key > ? ORDER BY key LIMIT ?`,
  listKeysFirst: `SELECT key FROM loom_kv WHERE actor_type = ? AND actor_id = ? ORDER BY key LIMIT ?`,
  setKey: `INSERT INTO loom_kv (actor_type, actor_id, key, value_json) VALUES (?, ?, ?, ?)
    ON CONFLICT (actor_type, actor_id, key) DO UPDATE SET value_json = excluded.value_json`,
  deleteKey: `DELETE FROM loom_kv WHERE actor_type = ? AND actor_id = ? AND key = ?`,
  bounds: `SELECT first_idx, next_idx FROM loom_logs WHERE actor_type = ? AND actor_id = ? AND name = ?`,
  setBounds: `INSERT INTO loom_logs (actor_type, actor_id, name, first_idx, next_idx) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (actor_type, actor_id, name) DO UPDATE SET first_idx = excluded.first_idx, next_idx = excluded.next_idx`,
  insertEntry: `INSERT INTO loom_log_entries (actor_type, actor_id, name, idx, value_json) VALUES (?, ?, ?, ?, ?)`,
  trim: `DELETE FROM loom_log_entries WHERE actor_type = ? AND actor_id = ? AND name = ? AND idx < ?`,
  readLog: `SELECT idx, value_json FROM loom_log_entries WHERE actor_type = ? AND actor_id = ? AND name = ? AND idx >= ? AND idx < ? ORDER BY idx`,
  listLogs: `SELECT name, first_idx, next_idx FROM loom_logs WHERE actor_type = ? AND actor_id = ? AND name > ? ORDER BY name LIMIT ?`,
  listLogsFirst: `SELECT name, first_idx, next_idx FROM loom_logs WHERE actor_type = ? AND actor_id = ? ORDER BY name LIMIT ?`,
} as const;

type Statements = { -readonly [K in keyof typeof SQL]: Database.Statement };

/**
 * Per-key state and logs in SQLite: one row per key (`loom_kv`), one row per log
 * with its bounds (`loom_logs`) and one row per entry (`loom_log_entries`). A turn
 * inserts, updates or deletes only the rows it changed, inside the store's commit
 * transaction (`apply`), so its cost follows the change, not the data kept.
 */
export class SqliteActorData implements ActorDataStore {
  private readonly prepared = new WeakMap<Database.Database, Statements>();

  constructor(private readonly handle: () => Database.Database) {}

  private st(): Statements {
    const db = this.handle();
    let st = this.prepared.get(db);
    if (!st) {
      const out: Partial<Statements> = {};
      for (const [name, sql] of Object.entries(SQL)) out[name as keyof Statements] = db.prepare(sql);
      st = out as Statements;
      this.prepared.set(db, st);
    }
    return st;
  }

  /** Writes a turn's data; runs inside the commit transaction, after the turn's checks passed. */
  apply(w: ActorDataWrite): void {
    const st = this.st();
    const { actorType: t, actorId: id } = w;
    for (const { key, valueJson } of w.kv ?? []) {
      if (valueJson === undefined) st.deleteKey.run(t, id, key);
      else st.setKey.run(t, id, key, valueJson);
    }
    for (const op of w.logs ?? []) {
      const row = st.bounds.get(t, id, op.name) as { first_idx: number; next_idx: number } | undefined;
      let first = row?.first_idx ?? 0;
      let next = row?.next_idx ?? 0;
      for (const v of op.append ?? []) st.insertEntry.run(t, id, op.name, next++, v);
      if (op.trimBefore !== undefined && op.trimBefore > first) {
        first = Math.min(op.trimBefore, next);
        st.trim.run(t, id, op.name, first);
      }
      st.setBounds.run(t, id, op.name, first, next);
    }
  }

  async readKey(actorType: string, actorId: string, key: string): Promise<string | undefined> {
    const r = this.st().readKey.get(actorType, actorId, key) as { value_json: string } | undefined;
    return r?.value_json;
  }

  async listKeys(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<string[]> {
    const st = this.st();
    const rows = (page.after === undefined ? st.listKeysFirst.all(actorType, actorId, page.limit) : st.listKeys.all(actorType, actorId, page.after, page.limit)) as { key: string }[];
    return rows.map((r) => r.key);
  }

  async logBounds(actorType: string, actorId: string, name: string): Promise<LogBounds> {
    const r = this.st().bounds.get(actorType, actorId, name) as { first_idx: number; next_idx: number } | undefined;
    return r ? { first: r.first_idx, next: r.next_idx } : { first: 0, next: 0 };
  }

  async readLog(actorType: string, actorId: string, name: string, from: number, to: number): Promise<LogEntry[]> {
    const rows = this.st().readLog.all(actorType, actorId, name, from, to) as { idx: number; value_json: string }[];
    return rows.map((r) => ({ index: r.idx, valueJson: r.value_json }));
  }

  async listLogs(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<({ name: string } & LogBounds)[]> {
    const st = this.st();
    const rows = (page.after === undefined ? st.listLogsFirst.all(actorType, actorId, page.limit) : st.listLogs.all(actorType, actorId, page.after, page.limit)) as {
      name: string;
      first_idx: number;
      next_idx: number;
    }[];
    return rows.map((r) => ({ name: r.name, first: r.first_idx, next: r.next_idx }));
  }
}
