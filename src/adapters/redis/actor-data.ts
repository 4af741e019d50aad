import type { ActorDataStore, LogBounds, LogEntry } from '../../ports/actor-data.js';
import type { RedisConnection } from './connection.js';
import { dataKeys, dataLogKey } from './keys.js';

/** Bounds of a log from its "<first> <next>" field (scripts/actor-data.ts), {0, 0} when never written. */
function bounds(field: string | null | undefined): LogBounds {
  if (!field) return { first: 0, next: 0 };
  const sp = field.indexOf(' ');
  return { first: Number(field.slice(0, sp)), next: Number(field.slice(sp + 1)) };
}

/** ZRANGEBYLEX's lower bound for "after `after`, exclusive". */
const afterBound = (after: string | undefined): string => (after === undefined ? '-' : `(${after}`);

/** The largest index a log can reach: numbers cross into Lua as text, and Lua counts in doubles. */
const MAX_INDEX = Number.MAX_SAFE_INTEGER;

/**
 * Reads of actor data on Redis (writes are part of the commit script). Each
 * read touches what it returns: one hash field, a page of a sorted set read by
 * lexical range, or the fields of a log's range. Keys and names are ordered by
 * Redis' byte order of their UTF-8, which is code-unit order except that
 * characters beyond U+FFFF sort after U+E000–U+FFFF.
 */
export class RedisActorData implements ActorDataStore {
  constructor(private readonly conn: RedisConnection) {}

  private key(suffix: string): string {
    return this.conn.prefix + suffix;
  }

  readKey(actorType: string, actorId: string, key: string): Promise<string | undefined> {
    return this.conn.run(`reading data key "${key}" of ${actorType}/${actorId}`, async () => {
      const v = await this.conn.client.hget(this.key(dataKeys(actorType, actorId).kv), key);
      return v ?? undefined;
    });
  }

  listKeys(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<string[]> {
    const limit = Math.floor(page.limit);
    if (!(limit > 0)) return Promise.resolve([]);
    return this.conn.run(`listing the data keys of ${actorType}/${actorId}`, () =>
      this.conn.client.zrangebylex(this.key(dataKeys(actorType, actorId).keys), afterBound(page.after), '+', 'LIMIT', 0, limit),
    );
  }

  logBounds(actorType: string, actorId: string, name: string): Promise<LogBounds> {
    return this.conn.run(`reading the bounds of log "${name}" of ${actorType}/${actorId}`, async () =>
      bounds(await this.conn.client.hget(this.key(dataKeys(actorType, actorId).logs), name)),
    );
  }

  async readLog(actorType: string, actorId: string, name: string, from: number, to: number): Promise<LogEntry[]> {
    const lo = Math.max(0, Math.ceil(from));
    const hi = Math.min(MAX_INDEX, Math.ceil(to));
    if (!(lo < hi)) return [];
    const reply = (await this.conn.run(`reading log "${name}" of ${actorType}/${actorId}`, () =>
      this.conn.script('readLog', dataKeys(actorType, actorId).logs, name, dataLogKey(actorType, actorId, name), String(lo), String(hi)),
    )) as string[];
    const start = Number(reply[2]);
    return reply.slice(3).map((valueJson, i) => ({ index: start + i, valueJson }));
  }

  listLogs(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<({ name: string } & LogBounds)[]> {
    const limit = Math.floor(page.limit);
    if (!(limit > 0)) return Promise.resolve([]);
    const k = dataKeys(actorType, actorId);
    return this.conn.run(`listing the logs of ${actorType}/${actorId}`, async () => {
      const names = await this.conn.client.zrangebylex(this.key(k.logNames), afterBound(page.after), '+', 'LIMIT', 0, limit);
      if (names.length === 0) return [];
      // A name is never removed from the index, so each has its bounds field.
      const fields = await this.conn.client.hmget(this.key(k.logs), ...names);
      return names.map((name, i) => ({ name, ...bounds(fields[i]) }));
    });
  }
}
