import type { ScheduleCursor, ScheduleRecord, ScheduleStore } from '../../ports/schedules.js';

/** Schedules in the process's memory (lost with it, like everything in `MemoryStore`). */
export class MemorySchedules implements ScheduleStore {
  private readonly rows = new Map<string, ScheduleRecord>();

  async put(id: string, specJson: string, paused: boolean, cursor: ScheduleCursor): Promise<ScheduleRecord> {
    const old = this.rows.get(id);
    const rec: ScheduleRecord = { id, specJson, paused, cursor: old ? old.cursor : { ...cursor }, updatedAt: Date.now() };
    this.rows.set(id, rec);
    return copy(rec);
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    const rec = this.rows.get(id);
    return rec && copy(rec);
  }

  async list(): Promise<ScheduleRecord[]> {
    return [...this.rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(copy);
  }

  async delete(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }

  async advance(id: string, from: ScheduleCursor, to: ScheduleCursor): Promise<boolean> {
    const rec = this.rows.get(id);
    if (!rec || rec.cursor.tick !== from.tick || rec.cursor.enqueued !== from.enqueued) return false;
    rec.cursor = { tick: to.tick, enqueued: to.enqueued };
    rec.updatedAt = Date.now();
    return true;
  }
}

function copy(rec: ScheduleRecord): ScheduleRecord {
  return { ...rec, cursor: { ...rec.cursor } };
}
