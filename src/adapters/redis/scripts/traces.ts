/*
 * Trace events, one flush (one appendEncoded call) at a time. Keys under the prefix P:
 *   P tf:n       string running count of events written; a flush's id is the count after it
 *   P tf:data    hash   flush id -> the flush's groups, packed (EncodedTraceBatch.packed, observability/trace-bytes.ts)
 *   P tf:all     zset   flush ids by running count, for the cap
 *   P tf:exp     zset   flush ids by expiry, for the TTL
 *   P tf:gens    zset   index generations, by the running count before their first flush (member = score)
 *   P tf:ix:<g>  hash   generation g's index: 't' trace or 'i' invocation -> its flush ids, space-separated
 *
 * Per flush: one HSET of the packed groups and two ZADD, whatever the number of groups; per group, a field
 * lookup and a field write in the index hash. A flush's index entries are not removed when the flush is
 * dropped: its whole generation is unlinked once none of its flushes is left. A generation is started when
 * the current one holds an eighth of the cap, so at the cap about nine are kept, and the index holds at most
 * an eighth of the cap (plus a flush) of entries for flushes already gone; reads skip those.
 *
 * Earlier versions kept one field per group under `tr:*` (hash tr:data, sets tr:all, tr:exp, tr:n, and
 * tr:t:<trace>, tr:i:<inv> with a TTL each). Their events are not read any more: this script unlinks the
 * four unexpiring keys when it finds them, and the per-trace and per-invocation sets expire by their TTL.
 */

/** ARGV: prefix, now (ms), ttl (ms), max events, events in this flush, packed groups, index fields (JSON array). */
export const APPEND_TRACES = `
local P = ARGV[1]
local now, ttl, max, count = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local D, ALL, EXP, GENS = P .. 'tf:data', P .. 'tf:all', P .. 'tf:exp', P .. 'tf:gens'
if redis.call('EXISTS', P .. 'tr:n') == 1 then
  redis.call('UNLINK', P .. 'tr:n', P .. 'tr:data', P .. 'tr:all', P .. 'tr:exp')
end
local upto = redis.call('INCRBY', P .. 'tf:n', count)
local before = upto - count
local id = tostring(upto)
redis.call('HSET', D, id, ARGV[6])
redis.call('ZADD', ALL, upto, id)
redis.call('ZADD', EXP, now + ttl, id)

local cur = redis.call('ZRANGE', GENS, -1, -1)[1]
if not cur or before - tonumber(cur) >= math.max(1, math.floor(max / 8)) then
  cur = tostring(before)
  redis.call('ZADD', GENS, before, cur)
end
local IX = P .. 'tf:ix:' .. cur
-- Lua's unpack has a stack limit: variadic calls go in slices.
local fields = cjson.decode(ARGV[7])
for s = 1, #fields, 2000 do
  local e = math.min(s + 1999, #fields)
  local had = redis.call('HMGET', IX, unpack(fields, s, e))
  local set = {}
  for k = 1, e - s + 1 do
    set[2 * k - 1] = fields[s + k - 1]
    set[2 * k] = had[k] and (had[k] .. ' ' .. id) or id
  end
  redis.call('HSET', IX, unpack(set))
end

-- What goes: flushes past the TTL, then the oldest past the cap, at most 200 a call so that one call never
-- stalls Redis (each call adds one flush, so a backlog still shrinks).
local gone, ids = {}, {}
local function drop(due)
  for _, f in ipairs(due) do
    if not gone[f] then
      gone[f] = true
      ids[#ids + 1] = f
    end
  end
end
drop(redis.call('ZRANGEBYSCORE', EXP, '-inf', now, 'LIMIT', 0, 100))
drop(redis.call('ZRANGEBYSCORE', ALL, '-inf', upto - max, 'LIMIT', 0, 100))
if #ids == 0 then return upto end
redis.call('HDEL', D, unpack(ids))
redis.call('ZREM', ALL, unpack(ids))
redis.call('ZREM', EXP, unpack(ids))
-- A generation's flushes have ids up to the next generation's start: it goes once the oldest flush is past that.
local oldest = tonumber(redis.call('ZRANGE', ALL, 0, 0, 'WITHSCORES')[2] or (upto + 1))
local gens = redis.call('ZRANGE', GENS, 0, 16)
for k = 1, #gens - 1 do
  if oldest <= tonumber(gens[k + 1]) then break end
  redis.call('UNLINK', P .. 'tf:ix:' .. gens[k])
  redis.call('ZREM', GENS, gens[k])
end
return upto`;

/**
 * The flushes of one trace or invocation that are still kept, oldest first. ARGV: prefix, now (ms), the
 * index fields ('t' trace or 'i' invocation; a trace's root is found by its invocation's). Returns the
 * packed flushes.
 */
export const READ_TRACES = `
local P = ARGV[1]
local now = tonumber(ARGV[2])
local seen, out = {}, {}
for _, g in ipairs(redis.call('ZRANGE', P .. 'tf:gens', 0, -1)) do
  for a = 3, #ARGV do
    local v = redis.call('HGET', P .. 'tf:ix:' .. g, ARGV[a])
    if v then
      for id in string.gmatch(v, '%d+') do
        -- Dropped flushes are still named until their generation goes; a flush past its TTL stays until an append drops it.
        local e = redis.call('ZSCORE', P .. 'tf:exp', id)
        if not seen[id] and e and tonumber(e) > now then
          seen[id] = true
          local d = redis.call('HGET', P .. 'tf:data', id)
          if d then out[#out + 1] = d end
        end
      end
    end
  end
end
return out`;
