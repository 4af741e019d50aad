import { KIND } from '../keys.js';
import { ADMIN_INDEX } from './admin-index.js';
import { DROP, PRELUDE, RESOLVE, WAKE } from './lib.js';

/** Picks the index that serves a filter best and tests a candidate against the whole filter. */
const MATCH = `
local function ax_source(f)
  local one = f.statuses and #f.statuses == 1 and f.statuses[1] or nil
  if f.actorType and f.actorId then
    if one then return P .. 'idx:as:' .. one .. ':' .. ax_actor(f.actorType, f.actorId) end
    return P .. 'idx:actor:' .. ax_actor(f.actorType, f.actorId)
  end
  if f.errorCode then return P .. 'idx:error:' .. f.errorCode end
  if one then return P .. 'idx:status:' .. one end
  if f.actorType then return P .. 'idx:type:' .. f.actorType end
  return P .. 'idx:all'
end
local function ax_match(f, id)
  local h = redis.call('HMGET', P .. '${KIND.inv}' .. id, 'status', 'actorType', 'actorId', 'method', 'idempotencyKey', '_ecode', 'attempt', 'createdAt', 'updatedAt')
  if not h[1] then return false end
  if f.statuses then
    local ok = false
    for _, s in ipairs(f.statuses) do if s == h[1] then ok = true end end
    if not ok then return false end
  end
  if f.terminalOnly and h[1] == 'pending' then return false end
  if f.actorType and h[2] ~= f.actorType then return false end
  if f.actorId and h[3] ~= f.actorId then return false end
  if f.method and h[4] ~= f.method then return false end
  if f.idempotencyKey and h[5] ~= f.idempotencyKey then return false end
  if f.errorCode and h[6] ~= f.errorCode then return false end
  if f.minAttempt and tonumber(h[7]) < tonumber(f.minAttempt) then return false end
  if f.createdAfter and tonumber(h[8]) < tonumber(f.createdAfter) then return false end
  if f.createdBefore and tonumber(h[8]) >= tonumber(f.createdBefore) then return false end
  if f.finishedAfter and tonumber(h[9]) < tonumber(f.finishedAfter) then return false end
  if f.finishedBefore and tonumber(h[9]) >= tonumber(f.finishedBefore) then return false end
  return true
end
`;

/**
 * Scans one index in seq order from a bound, testing at most `budget`
 * candidates. ARGV: prefix, filter JSON, limit, newest ('1'/'0'), after seq
 * ('' for none), budget, count-only ('1'/'0'). Returns {matches (fields of each,
 * or their number when counting), last seq scanned, '1' when the index ended}.
 */
export const ADMIN_SCAN = `${PRELUDE}${ADMIN_INDEX}${MATCH}
local f = cjson.decode(ARGV[2])
local limit, newest, budget, counting = tonumber(ARGV[3]), ARGV[4] == '1', tonumber(ARGV[6]), ARGV[7] == '1'
if f.statuses and #f.statuses == 0 then return {counting and 0 or {}, '', '1'} end
local z = ax_source(f)
if counting then
  -- The index alone answers a filter that names only what chose it (and a seq bound): no record is read.
  local used = { actorType = f.actorType and f.actorId and true, actorId = true, statuses = f.statuses and #f.statuses == 1, seqBelow = true }
  if not (f.actorType and f.actorId) then
    used = { statuses = f.statuses and #f.statuses == 1 and not f.errorCode, errorCode = true, seqBelow = true }
    if not f.errorCode and not (f.statuses and #f.statuses == 1) then used.actorType = true end
  end
  local pure = true
  for k, _ in pairs(f) do if not used[k] then pure = false end end
  if pure and ARGV[5] == '' then
    return {redis.call('ZCOUNT', z, '-inf', f.seqBelow and ('(' .. f.seqBelow) or '+inf'), '', '1'}
  end
end
local bound = ARGV[5] ~= '' and ('(' .. ARGV[5]) or (newest and '+inf' or '-inf')
if newest and f.seqBelow and (ARGV[5] == '' or tonumber(ARGV[5]) > tonumber(f.seqBelow)) then bound = '(' .. f.seqBelow end
local top = f.seqBelow and ('(' .. f.seqBelow) or '+inf'
local out, n, scanned, last = {}, 0, 0, ARGV[5]
while scanned < budget do
  local chunk = math.min(500, budget - scanned)
  local r
  if newest then r = redis.call('ZREVRANGEBYSCORE', z, bound, '-inf', 'WITHSCORES', 'LIMIT', 0, chunk)
  else r = redis.call('ZRANGEBYSCORE', z, bound, top, 'WITHSCORES', 'LIMIT', 0, chunk) end
  if #r == 0 then return {counting and n or out, last, '1'} end
  for j = 1, #r, 2 do
    scanned = scanned + 1
    last = r[j + 1]
    if ax_match(f, r[j]) then
      n = n + 1
      if not counting then
        out[#out + 1] = redis.call('HGETALL', P .. '${KIND.inv}' .. r[j])
        if #out == limit then return {out, last, '0'} end
      end
    end
  end
  bound = '(' .. last
  if #r < chunk * 2 then return {counting and n or out, last, '1'} end
end
return {counting and n or out, last, '0'}
`;

/** ARGV: prefix, id, error JSON, resolution JSON for the caller's promise. Returns 'ok', 'not-found' or 'not-pending'. */
export const ADMIN_CANCEL = `${PRELUDE}${WAKE}${ADMIN_INDEX}${DROP}${RESOLVE}
local id = ARGV[2]
local ikey = P .. '${KIND.inv}' .. id
local f = redis.call('HMGET', ikey, 'status', 'partition', 'ttlMs', 'replyTo', 'waitingOn', 'actorType', 'actorId')
if not f[1] then return 'not-found' end
if f[1] ~= 'pending' then return 'not-pending' end
local now = now_ms()
local exp = now + tonumber(f[3])
if f[5] then redis.call('DEL', P .. '${KIND.waiting}' .. f[5]) end
redis.call('HSET', ikey, 'status', 'failed', 'error', ARGV[3], 'expiresAt', exp, 'updatedAt', now)
redis.call('HDEL', ikey, 'waitingOn', 'notBefore')
redis.call('ZREM', P .. '${KIND.pending}' .. f[2], id)
redis.call('ZADD', P .. '${KIND.expiring}', exp, id)
drop(id)
ax_status(ikey, id, 'pending', 'failed')
ax_error(ikey, id, ARGV[3])
if f[4] then resolve(f[4], ARGV[5], ARGV[4]) end
-- Wakes the actor's next invocation, so that a worker holding the cancelled one in memory looks again.
local nxt = redis.call('ZRANGE', P .. 'idx:as:pending:' .. ax_actor(f[6], f[7]), 0, 0)
if nxt[1] then wake(P .. '${KIND.inv}' .. nxt[1], nxt[1]) end
return 'ok'
`;

/** ARGV: prefix, id, wake a sleep ('1'/'0'). Returns 'ok', 'not-found' or 'not-pending'. */
export const ADMIN_RETRY = `${PRELUDE}${WAKE}
local id = ARGV[2]
local ikey = P .. '${KIND.inv}' .. id
local f = redis.call('HMGET', ikey, 'status', 'notBefore')
if not f[1] then return 'not-found' end
if f[1] ~= 'pending' then return 'not-pending' end
local sleeping = false
local now = now_ms()
if f[2] then
  local jk = P .. '${KIND.journal}' .. id
  local all = redis.call('HGETALL', jk)
  for i = 1, #all, 2 do
    local e = cjson.decode(all[i + 1])
    if e.kind == 'sleep' and e.status == 'pending' then
      sleeping = true
      -- A sleep's replay waits for the time it recorded: woken early, it records now instead.
      if ARGV[3] == '1' then
        e.valueJson = string.format('%d', now)
        redis.call('HSET', jk, all[i], cjson.encode(e))
      end
    end
  end
end
if not sleeping or ARGV[3] == '1' then redis.call('HDEL', ikey, 'notBefore') end
redis.call('HSET', ikey, 'updatedAt', now)
wake(ikey, id)
return 'ok'
`;

/** ARGV: prefix, id. Returns 'ok', 'not-found' or 'not-terminal'. */
export const ADMIN_PURGE = `${PRELUDE}${ADMIN_INDEX}${DROP}
local id = ARGV[2]
local ikey = P .. '${KIND.inv}' .. id
local f = redis.call('HMGET', ikey, 'status', 'actorType', '_ikey')
if not f[1] then return 'not-found' end
if f[1] == 'pending' then return 'not-terminal' end
ax_remove(ikey, id)
redis.call('DEL', ikey)
drop(id)
if f[3] and redis.call('GET', P .. f[3]) == id then redis.call('DEL', P .. f[3]) end
redis.call('ZREM', P .. '${KIND.expiring}', id)
redis.call('ZREM', P .. '${KIND.dead}', id)
redis.call('ZREM', P .. '${KIND.deadType}' .. f[2], id)
return 'ok'
`;

/** ARGV: prefix, insert spec JSON, journal (seq, entry JSON, ...). Returns 'ok' or 'duplicate'. */
export const ADMIN_RESTART = `${PRELUDE}${ADMIN_INDEX}
local it = cjson.decode(ARGV[2])
local key = P .. '${KIND.inv}' .. it.id
if redis.call('EXISTS', key) == 1 then return 'duplicate' end
local now = now_ms()
local seq = redis.call('INCR', P .. '${KIND.seq}')
local ws = redis.call('INCR', P .. '${KIND.wake}')
redis.call('HSET', key, unpack(it.f))
redis.call('HSET', key, 'seq', seq, 'status', 'pending', 'started', #ARGV > 2 and '1' or '0', 'attempt', '0',
  'wakeSeq', ws, 'createdAt', now, 'updatedAt', now)
redis.call('ZADD', P .. '${KIND.pending}' .. it.p, ws, it.id)
ax_add(it.id, seq, redis.call('HGET', key, 'actorType'), redis.call('HGET', key, 'actorId'))
for i = 3, #ARGV, 2 do redis.call('HSET', P .. '${KIND.journal}' .. it.id, ARGV[i], ARGV[i + 1]) end
return 'ok'
`;

/** ARGV: prefix, state key suffix, actors member, type, id, json, expected version. Returns {'ok'|'conflict', version}. */
export const ADMIN_SET_STATE = `${PRELUDE}
local k = P .. ARGV[2]
local v = tonumber(redis.call('HGET', k, 'version')) or 0
if v ~= tonumber(ARGV[7]) then return {'conflict', v} end
redis.call('HSET', k, 't', ARGV[4], 'a', ARGV[5], 'json', ARGV[6], 'version', v + 1)
redis.call('ZADD', P .. '${KIND.actors}', 0, ARGV[3])
return {'ok', v + 1}
`;
