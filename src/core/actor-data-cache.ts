import type { ActorDataWrite, LogBounds } from '../ports/actor-data.js';

/** Newest entries of a log kept in an activation: enough for "the last 20 messages" without a read. */
export const TAIL_KEEP = 64;
/** At most this much JSON text per log tail (UTF-16 code units): a few huge entries do not pin megabytes. */
export const TAIL_MAX_CHARS = 1 << 20;
/** Keys kept per activation; past it the oldest cached go (they are read again when asked for). */
export const MAX_CACHED_KEYS = 4096;

/** A log as committed, as far as an activation knows it: its bounds and its newest entries. */
export interface CachedLog {
  first: number;
  next: number;
  /** JSON of the entries `next - tail.length` … `next - 1` (all kept: never below `first`). */
  tail: string[];
}

/**
 * What an activation knows of its actor's committed data: the keys it read or
 * wrote (null: known absent) and the logs whose bounds it read. Only committed
 * data enters it: a turn's own writes live in its `TurnData` until the turn
 * commits, so a failed or fenced turn leaves nothing here to undo. Made on the
 * first use of `this.kv` or `this.log`; an actor that uses neither pays one
 * undefined field on its mailbox.
 */
export class ActorDataCache {
  readonly kv = new Map<string, string | null>();
  readonly logs = new Map<string, CachedLog>();
  /** Bumped by every committed write: a read that started before one must not fill the cache with what it read. */
  gen = 0;

  /** Applies a committed turn's data. `base`: bounds that turn read, for logs not cached here. */
  apply(w: ActorDataWrite, base: ReadonlyMap<string, LogBounds> | undefined): void {
    this.gen++;
    for (const { key, valueJson } of w.kv ?? []) this.setKey(key, valueJson ?? null);
    for (const op of w.logs ?? []) {
      let log = this.logs.get(op.name);
      if (!log) {
        const b = base?.get(op.name);
        if (!b) continue;
        log = { first: b.first, next: b.next, tail: [] };
        this.logs.set(op.name, log);
      }
      if (op.append?.length) {
        for (const v of op.append) log.tail.push(v);
        log.next += op.append.length;
      }
      if (op.trimBefore !== undefined && op.trimBefore > log.first) log.first = Math.min(op.trimBefore, log.next);
      const drop = Math.max(log.tail.length - TAIL_KEEP, log.first - (log.next - log.tail.length));
      if (drop > 0) log.tail.splice(0, drop);
      capTail(log);
    }
  }

  /** Caches a key's committed JSON (null: known absent), keeping at most MAX_CACHED_KEYS. */
  setKey(key: string, json: string | null): void {
    this.kv.delete(key);
    this.kv.set(key, json);
    if (this.kv.size > MAX_CACHED_KEYS) {
      for (const k of this.kv.keys()) {
        this.kv.delete(k);
        if (this.kv.size <= MAX_CACHED_KEYS) break;
      }
    }
  }

  /** The cached JSON of entries `from` ≤ index < `to`, or undefined when not all of them are cached. */
  cachedRange(log: CachedLog, from: number, to: number): string[] | undefined {
    const start = log.next - log.tail.length;
    if (from < start || to > log.next) return undefined;
    return log.tail.slice(from - start, to - start);
  }

  /** Entries read from the store that end at the log's `next`: they become its tail. */
  remember(log: CachedLog, from: number, values: string[]): void {
    if (from + values.length !== log.next || from < log.first) return;
    if (values.length <= log.tail.length) return;
    log.tail = values.length > TAIL_KEEP ? values.slice(values.length - TAIL_KEEP) : values.slice();
    capTail(log);
  }
}

function capTail(log: CachedLog): void {
  let chars = 0;
  let keep = log.tail.length;
  while (keep > 0 && chars + log.tail[keep - 1]!.length <= TAIL_MAX_CHARS) chars += log.tail[--keep]!.length;
  if (keep > 0) log.tail.splice(0, keep);
}
