import { PRELUDE } from './lib.js';

/*
 * Actor data (keys.ts, "Actor data"). A log's entries are a hash by index, not
 * a list: an append is one HSET, a read of k entries is k fields wherever they
 * sit in the log, and a trim deletes the fields it removes. Each costs what it
 * touches, whatever the log's length; a list would make a read from the middle
 * walk the list, and a sorted set costs log(n) and more memory per entry.
 * Indexes are formatted with %d: Lua's tostring turns 1e14 into "1e+14".
 */

/** Bounds of a log from its "<first> <next>" field, {0, 0} when never written. */
export const BOUNDS = `
local function log_bounds(b)
  if not b then return 0, 0 end
  local sp = string.find(b, ' ', 1, true)
  return tonumber(string.sub(b, 1, sp - 1)), tonumber(string.sub(b, sp + 1))
end
`;

/**
 * apply_data(d): a turn's DataSpec (codec.ts), after every check of the turn
 * passed. Key writes in order (the last write of a key wins); then per log its
 * appends from the stored next, and its trim up to next at most.
 */
export const APPLY_DATA = `${BOUNDS}
local function apply_data(d)
  local hk, zk = P .. d.kv, P .. d.ks
  for _, e in ipairs(d.s or {}) do
    if e[2] then
      redis.call('HSET', hk, e[1], e[2])
      redis.call('ZADD', zk, 0, e[1])
    else
      redis.call('HDEL', hk, e[1])
      redis.call('ZREM', zk, e[1])
    end
  end
  local bk, nk = P .. d.lb, P .. d.ln
  for _, l in ipairs(d.l or {}) do
    local first, nxt = log_bounds(redis.call('HGET', bk, l.n))
    local ek = P .. l.k
    for _, v in ipairs(l.a or {}) do
      redis.call('HSET', ek, string.format('%d', nxt), v)
      nxt = nxt + 1
    end
    if l.tb then
      local upto = math.min(tonumber(l.tb), nxt)
      while first < upto do
        redis.call('HDEL', ek, string.format('%d', first))
        first = first + 1
      end
    end
    redis.call('HSET', bk, l.n, string.format('%d %d', first, nxt))
    redis.call('ZADD', nk, 0, l.n)
  end
end
`;

/**
 * One log's kept entries in [from, to), read in one snapshot with its bounds.
 * ARGV: prefix, bounds hash suffix, log name, entries hash suffix, from, to
 * (whole numbers). Returns {first, next, from, values…} (from clamped to first).
 */
export const READ_LOG = `${PRELUDE}${BOUNDS}
local first, nxt = log_bounds(redis.call('HGET', P .. ARGV[2], ARGV[3]))
local from = math.max(tonumber(ARGV[5]), first)
local to = math.min(tonumber(ARGV[6]), nxt)
local out = {string.format('%d', first), string.format('%d', nxt), string.format('%d', from)}
local ek = P .. ARGV[4]
local i = from
while i < to do
  -- HMGET in chunks: unpack() of a long field list would overflow Lua's stack.
  local hi = math.min(i + 500, to)
  local fields = {}
  for j = i, hi - 1 do fields[#fields + 1] = string.format('%d', j) end
  local vals = redis.call('HMGET', ek, unpack(fields))
  for j = 1, #fields do out[#out + 1] = vals[j] or '' end
  i = hi
end
return out
`;
