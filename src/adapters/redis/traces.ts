import type { TraceBounds, TraceEvent, TraceQuery, TraceStore } from '../../ports/trace.js';
import { checkTraceQuery, decodeGroup, encodeGroup, flattenGroups, groupTraceEvents } from '../../observability/trace-groups.js';
import type { RedisConnection } from './connection.js';

/*
 * Keys under the store's prefix P (see keys.ts for the rest):
 *   P tr:n            string running count of events written (the group id is the count after it)
 *   P tr:data         hash   group id -> the group, encoded (trace-groups.ts)
 *   P tr:all          zset   group ids by running count, for the cap
 *   P tr:exp          zset   group ids by expiry, for the TTL
 *   P tr:t:<trace>    zset   group ids of one trace (expires with its last group)
 *   P tr:i:<inv>      zset   group ids of one invocation (same)
 */
const APPEND = `
local P = ARGV[1]
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local upto = 0
local i = 5
while i <= #ARGV do
  local t, inv, n, json = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  upto = redis.call('INCRBY', P .. 'tr:n', n)
  local id = tostring(upto)
  redis.call('HSET', P .. 'tr:data', id, json)
  redis.call('ZADD', P .. 'tr:all', upto, id)
  redis.call('ZADD', P .. 'tr:exp', now + ttl, id)
  redis.call('ZADD', P .. 'tr:t:' .. t, upto, id)
  redis.call('PEXPIRE', P .. 'tr:t:' .. t, ttl)
  if inv ~= '' then
    redis.call('ZADD', P .. 'tr:i:' .. inv, upto, id)
    redis.call('PEXPIRE', P .. 'tr:i:' .. inv, ttl)
  end
  i = i + 4
end
local function drop(ids)
  for _, id in ipairs(ids) do
    redis.call('HDEL', P .. 'tr:data', id)
    redis.call('ZREM', P .. 'tr:all', id)
    redis.call('ZREM', P .. 'tr:exp', id)
  end
end
drop(redis.call('ZRANGEBYSCORE', P .. 'tr:exp', '-inf', now, 'LIMIT', 0, 1000))
drop(redis.call('ZRANGEBYSCORE', P .. 'tr:all', '-inf', upto - max, 'LIMIT', 0, 1000))
return upto`;

/**
 * Trace events in Redis, one hash field per trace and invocation per flush,
 * written by one script; the TTL and the cap are applied as it writes. A
 * trace's or invocation's index may name groups already dropped: reads skip them.
 */
export class RedisTraces implements TraceStore {
  constructor(private readonly conn: RedisConnection) {}

  async appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void> {
    const args: (string | number)[] = [this.conn.luaPrefix, Date.now(), bounds.ttlMs, bounds.maxEvents];
    for (const g of groupTraceEvents(events)) args.push(g.traceId, g.invocationId ?? '', g.events.length, encodeGroup(g));
    await this.conn.run('writing trace events', () => this.conn.client.eval(APPEND, 0, ...args));
  }

  async readTraces(q: TraceQuery): Promise<TraceEvent[]> {
    const limit = checkTraceQuery(q);
    const p = this.conn.prefix;
    const index = q.traceId !== undefined ? `${p}tr:t:${q.traceId}` : `${p}tr:i:${q.invocationId}`;
    return this.conn.run('reading trace events', async () => {
      const ids = await this.conn.client.zrange(index, 0, -1);
      if (ids.length === 0) return [];
      const rows = await this.conn.client.hmget(`${p}tr:data`, ...ids);
      const groups = rows.filter((r): r is string => r !== null).map(decodeGroup);
      return flattenGroups(groups, q, limit);
    });
  }
}
