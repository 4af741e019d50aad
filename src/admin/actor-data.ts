import { NoActorDataError } from '../core/errors.js';
import { InvalidFilterError } from './errors.js';
import { checkName } from '../core/actor-data.js';
import type { Store } from '../ports/store.js';
import type { ActorDataStore } from '../ports/actor-data.js';

/** One key of an actor's per-key state (`this.kv`), as the admin API reads it. */
export interface ActorKeyView {
  actorType: string;
  actorId: string;
  key: string;
  /** False when the key is not set (then `value` is undefined). */
  found: boolean;
  value: unknown;
}

/** A log of an actor (`this.log(name)`) and its kept range: entries `first` ≤ index < `next`. */
export interface ActorLogInfo {
  name: string;
  first: number;
  next: number;
}

/** A page of a log's entries. */
export interface ActorLogPage extends ActorLogInfo {
  actorType: string;
  actorId: string;
  entries: { index: number; value: unknown }[];
}

/** A page query of keys or logs: names after `after`, at most `limit` (default 100, at most 1000). */
export interface NamePage {
  after?: string;
  limit?: number;
}

const MAX_PAGE = 1000;

function dataOf(store: Store): ActorDataStore {
  if (!store.actorData) {
    throw new NoActorDataError(`the store (${store.constructor.name}) keeps no per-key state or logs, so there is none to read; actors on it use this.state only`);
  }
  return store.actorData;
}

function limitOf(limit: number | undefined, what: string, fallback = 100): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new InvalidFilterError(`${what}: limit must be a whole number from 1 to ${MAX_PAGE}, got ${String(limit)}`);
  return limit;
}

function page(q: NamePage | undefined, what: string): { after?: string; limit: number } {
  const out: { after?: string; limit: number } = { limit: limitOf(q?.limit, what) };
  if (q?.after !== undefined) out.after = q.after;
  return out;
}

/** The admin reads of actor data (`LoomClient.getKey`, `listKeys`, `listLogs`, `readLog`). */
export const actorDataReads = {
  async getKey(store: Store, actorType: string, actorId: string, key: string): Promise<ActorKeyView> {
    checkName('getKey(actorType, actorId, key)', 'key', key);
    const json = await dataOf(store).readKey(actorType, actorId, key);
    return { actorType, actorId, key, found: json !== undefined, value: json === undefined ? undefined : (JSON.parse(json) as unknown) };
  },

  listKeys(store: Store, actorType: string, actorId: string, q?: NamePage): Promise<string[]> {
    return dataOf(store).listKeys(actorType, actorId, page(q, 'listKeys'));
  },

  listLogs(store: Store, actorType: string, actorId: string, q?: NamePage): Promise<ActorLogInfo[]> {
    return dataOf(store).listLogs(actorType, actorId, page(q, 'listLogs'));
  },

  /** Entries from `from` (default: the first kept), at most `limit` (default 50); `last: n` reads the newest n instead. */
  async readLog(store: Store, actorType: string, actorId: string, name: string, q?: { from?: number; limit?: number; last?: number }): Promise<ActorLogPage> {
    checkName('readLog(actorType, actorId, name)', 'log name', name);
    const data = dataOf(store);
    const b = await data.logBounds(actorType, actorId, name);
    if (q?.from !== undefined && (!Number.isInteger(q.from) || q.from < 0)) throw new InvalidFilterError(`readLog: from must be a whole number ≥ 0 (a log index), got ${String(q.from)}`);
    const limit = limitOf(q?.last ?? q?.limit, 'readLog', 50);
    const from = q?.last !== undefined ? Math.max(b.first, b.next - limit) : Math.max(q?.from ?? b.first, b.first);
    const rows = from < b.next ? await data.readLog(actorType, actorId, name, from, Math.min(from + limit, b.next)) : [];
    return { actorType, actorId, name, first: b.first, next: b.next, entries: rows.map((r) => ({ index: r.index, value: JSON.parse(r.valueJson) as unknown })) };
  },
};
