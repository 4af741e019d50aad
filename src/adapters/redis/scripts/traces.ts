/*
 * Trace events, one flush (one appendEncoded call) at a time. Keys under the prefix P:
 *   P tf:n       string running count of events written; a flush's id is the count after it
 *   P tf:data    hash   flush id -> the flush's groups, packed (EncodedTraceBatch.packed, observability/trace-bytes.ts)
 *   P tf:all     zset   flush ids by running count, for the cap
 *   P tf:exp     zset   flush ids by expiry, for the TTL
 *   P tf:gens    zset   index generations, by the running count before their first flush (member = score)
 *   P tf:lx:<g>  string generation g's index: per flush '\r<flush id>\n', then a line per trace ('t') and
 *                       invocation ('i') in it, each a JSON string after its letter and a newline before and after
 *                       (JSON strings hold no raw CR or LF, so a search for CR finds only the flushes)
 *
 * Per flush: one HSET of the packed groups, two ZADD and one APPEND of the index lines (made by the client),
 * whatever the number of groups: the server does no work per group on a write. A read scans the index
 * strings (a few hundred KB at the default cap) for the id's line, which is a search in C. A flush's index
 * lines are not removed when the flush is dropped: its whole generation is unlinked once none of its flushes
 * is left. A generation is started when the current one holds an eighth of the cap, so at the cap about nine
 * are kept, and the index holds at most an eighth of the cap (plus a flush) of lines for flushes already
 * gone; reads skip those.
 *
 * Earlier versions kept the index as a hash per generation (P tf:ix:<g>: field 't' trace or 'i' invocation,
 * raw, -> space-separated flush ids); reads still look there for a generation without an index string, and
 * the generation goes the same way. Before that, one field per group under `tr:*` (hash tr:data, sets tr:all,
 * tr:exp, tr:n, and tr:t:<trace>, tr:i:<inv> with a TTL each): those events are not read any more; this
 * script unlinks the four unexpiring keys when it finds them, and the per-trace and per-invocation sets
 * expire by their TTL.
 */

/** ARGV: prefix, now (ms), ttl (ms), max events, events in this flush, packed groups, index lines (each '\n' after). */
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
-- The flush's line, then its ids' lines: appended as they came, whatever their number.
redis.call('APPEND', P .. 'tf:lx:' .. cur, '\\r' .. id .. '\\n' .. ARGV[7])

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
  redis.call('UNLINK', P .. 'tf:lx:' .. gens[k], P .. 'tf:ix:' .. gens[k])
  redis.call('ZREM', GENS, gens[k])
end
return upto`;

/**
 * The flushes of one trace or invocation that are still kept, oldest first. ARGV: prefix, now (ms), the
 * number n of index lines, the n lines to find (a trace's root is found by its invocation's line), then the
 * same ids as fields of the earlier index hashes. Returns the packed flushes.
 */
export const READ_TRACES = `
local P = ARGV[1]
local now, n = tonumber(ARGV[2]), tonumber(ARGV[3])
local seen, out = {}, {}
local function take(id)
  if seen[id] then return end
  seen[id] = true
  -- Dropped flushes are still named until their generation goes; a flush past its TTL stays until an append drops it.
  local e = redis.call('ZSCORE', P .. 'tf:exp', id)
  if e and tonumber(e) > now then
    local d = redis.call('HGET', P .. 'tf:data', id)
    if d then out[#out + 1] = d end
  end
end
for _, g in ipairs(redis.call('ZRANGE', P .. 'tf:gens', 0, -1)) do
  local v = redis.call('GET', P .. 'tf:lx:' .. g)
  if v then
    -- Where each flush's lines start, in order: a line found belongs to the last flush line before it.
    local at, ids, p = {}, {}, 1
    while true do
      local s = string.find(v, '\\r', p, true)
      if not s then break end
      local e = string.find(v, '\\n', s + 1, true)
      at[#at + 1], ids[#ids + 1] = s, string.sub(v, s + 1, e - 1)
      p = e
    end
    for a = 4, 3 + n do
      local line = '\\n' .. ARGV[a] .. '\\n'
      local k, p = 1, 1
      while true do
        local s = string.find(v, line, p, true)
        if not s then break end
        while at[k + 1] and at[k + 1] < s do k = k + 1 end
        take(ids[k])
        p = s + #line - 1
      end
    end
  else
    for a = 4 + n, #ARGV do
      local h = redis.call('HGET', P .. 'tf:ix:' .. g, ARGV[a])
      if h then for id in string.gmatch(h, '%d+') do take(id) end end
    end
  end
end
return out`;
