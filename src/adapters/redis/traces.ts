import type { EncodedTraceBatch, TraceBounds, TraceEvent, TraceQuery, TraceStore } from '../../ports/trace.js';
import { checkTraceQuery, decodeGroup, encodeTraceEvents, flattenGroups } from '../../observability/trace-groups.js';
import { packGroups } from '../../observability/trace-bytes.js';
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
// The hash, the cap and the TTL sets take one call per batch (in slices: Lua's unpack has a stack limit);
// only a trace's and an invocation's index take calls per group.
const APPEND = `
local P = ARGV[1]
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local upto = redis.call('INCRBY', P .. 'tr:n', tonumber(ARGV[5]))
local at = upto - tonumber(ARGV[5])
local data, all, exp = {}, {}, {}
local i = 6
while i <= #ARGV do
  local t, inv, n, json = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  at = at + n
  local id = tostring(at)
  data[#data + 1] = id
  data[#data + 1] = json
  all[#all + 1] = at
  all[#all + 1] = id
  exp[#exp + 1] = now + ttl
  exp[#exp + 1] = id
  redis.call('ZADD', P .. 'tr:t:' .. t, at, id)
  redis.call('PEXPIRE', P .. 'tr:t:' .. t, ttl)
  if inv ~= '' then
    redis.call('ZADD', P .. 'tr:i:' .. inv, at, id)
    redis.call('PEXPIRE', P .. 'tr:i:' .. inv, ttl)
  end
  i = i + 4
end
local function bulk(cmd, key, xs)
  for s = 1, #xs, 2000 do
    redis.call(cmd, key, unpack(xs, s, math.min(s + 1999, #xs)))
  end
end
bulk('HSET', P .. 'tr:data', data)
bulk('ZADD', P .. 'tr:all', all)
bulk('ZADD', P .. 'tr:exp', exp)
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

  appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void> {
    return this.appendEncoded(packGroups(encodeTraceEvents(events)), bounds);
  }

  async appendEncoded(batch: EncodedTraceBatch, bounds: TraceBounds): Promise<void> {
    const groups = batch.groups();
    if (groups.length === 0) return;
    let total = 0;
    for (const g of groups) total += g[2];
    const args: (string | number)[] = [this.conn.luaPrefix, Date.now(), bounds.ttlMs, bounds.maxEvents, total];
    for (const g of groups) args.push(g[0], g[1], g[2], g[3]);
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
