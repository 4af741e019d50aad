import type { ActorDataStore, ActorDataWrite, LogBounds, LogEntry } from '../../ports/actor-data.js';

interface MemLog {
  first: number;
  next: number;
  /** Entries `base` … `base + items.length - 1`; `base ≤ first`, the ones below `first` are trimmed lazily. */
  base: number;
  items: string[];
}

interface MemActor {
  kv: Map<string, string>;
  logs: Map<string, MemLog>;
}

const actorKey = (type: string, id: string) => `${type}\u0000${id}`;
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Per-key state and logs of the memory store; `apply` runs inside its synchronous commit. */
export class MemoryActorData implements ActorDataStore {
  private readonly actors = new Map<string, MemActor>();

  private actor(type: string, id: string, create: true): MemActor;
  private actor(type: string, id: string, create?: false): MemActor | undefined;
  private actor(type: string, id: string, create = false): MemActor | undefined {
    const k = actorKey(type, id);
    let a = this.actors.get(k);
    if (!a && create) this.actors.set(k, (a = { kv: new Map(), logs: new Map() }));
    return a;
  }

  /** Applies a committed turn's data (called once every check of the turn passed). */
  apply(w: ActorDataWrite): void {
    const a = this.actor(w.actorType, w.actorId, true);
    for (const { key, valueJson } of w.kv ?? []) {
      if (valueJson === undefined) a.kv.delete(key);
      else a.kv.set(key, valueJson);
    }
    for (const op of w.logs ?? []) {
      let log = a.logs.get(op.name);
      if (!log) a.logs.set(op.name, (log = { first: 0, next: 0, base: 0, items: [] }));
      for (const v of op.append ?? []) log.items.push(v);
      log.next += op.append?.length ?? 0;
      if (op.trimBefore !== undefined && op.trimBefore > log.first) {
        log.first = Math.min(op.trimBefore, log.next);
        // Compacted once the trimmed part is as long as the kept one: trimming stays O(1) amortized.
        const dead = log.first - log.base;
        if (dead >= log.items.length / 2) {
          log.items = log.items.slice(dead);
          log.base = log.first;
        }
      }
    }
  }

  /** Drops an actor's data (admin). */
  drop(actorType: string, actorId: string): void {
    this.actors.delete(actorKey(actorType, actorId));
  }

  async readKey(actorType: string, actorId: string, key: string): Promise<string | undefined> {
    return this.actor(actorType, actorId)?.kv.get(key);
  }

  async listKeys(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<string[]> {
    const a = this.actor(actorType, actorId);
    if (!a) return [];
    const after = page.after;
    const keys = [...a.kv.keys()].filter((k) => after === undefined || k > after).sort(byCodeUnit);
    return keys.slice(0, page.limit);
  }

  async logBounds(actorType: string, actorId: string, name: string): Promise<LogBounds> {
    const log = this.actor(actorType, actorId)?.logs.get(name);
    return log ? { first: log.first, next: log.next } : { first: 0, next: 0 };
  }

  async readLog(actorType: string, actorId: string, name: string, from: number, to: number): Promise<LogEntry[]> {
    const log = this.actor(actorType, actorId)?.logs.get(name);
    if (!log) return [];
    const out: LogEntry[] = [];
    for (let i = Math.max(from, log.first); i < Math.min(to, log.next); i++) out.push({ index: i, valueJson: log.items[i - log.base]! });
    return out;
  }

  async listLogs(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<({ name: string } & LogBounds)[]> {
    const a = this.actor(actorType, actorId);
    if (!a) return [];
    const after = page.after;
    const names = [...a.logs.keys()].filter((n) => after === undefined || n > after).sort(byCodeUnit);
    return names.slice(0, page.limit).map((name) => {
      const log = a.logs.get(name)!;
      return { name, first: log.first, next: log.next };
    });
  }
}
