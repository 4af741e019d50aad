import { KIND } from '../keys.js';
import { ADMIN_INDEX } from './admin-index.js';

/*
 * Lua fragments shared by several scripts. Every script starts with PRELUDE and
 * gets the key prefix as ARGV[1]. Redis does not roll a script back when it
 * fails half-way, so scripts check everything before their first write, and the
 * TypeScript side validates inputs (see codec.ts) before sending them.
 */

export const PRELUDE = `
local P = ARGV[1]
-- The server clock, epoch ms: leases and timestamps never compare two workers' clocks.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * decode_arg(json): the script's argument, or nil and an error reply marked
 * LOOM_REFUSED (the caller reports the item alone as refused, nothing written).
 * The TypeScript side checks text before sending; this is the script's own guard.
 */
export const DECODE = `
local function decode_arg(json)
  local ok, v = pcall(cjson.decode, json)
  if ok then return v end
  return nil, redis.error_reply('LOOM_REFUSED its JSON cannot be decoded in Lua (' .. tostring(v) .. ')')
end
`;

/** wake(invKey, id): gives a pending invocation a new wakeSeq so that pollers pick it up again. */
export const WAKE = `
local function wake(ikey, id)
  local ws = redis.call('INCR', P .. '${KIND.wake}')
  redis.call('HSET', ikey, 'wakeSeq', ws)
  redis.call('ZADD', P .. '${KIND.pending}' .. redis.call('HGET', ikey, 'partition'), ws, id)
end
`;

/**
 * insert(spec, now): enqueues one invocation unless one with the same id exists,
 * or one with the same idempotency key exists and has not expired.
 */
export const INSERT = `${ADMIN_INDEX}
local function insert(it, now)
  local key = P .. '${KIND.inv}' .. it.id
  if redis.call('EXISTS', key) == 1 then return {1, redis.call('HGETALL', key)} end
  local ik
  if it.k then
    ik = P .. it.k
    local other = redis.call('GET', ik)
    if other then
      local okey = P .. '${KIND.inv}' .. other
      local f = redis.call('HMGET', okey, 'id', 'expiresAt')
      if f[1] and not (f[2] and tonumber(f[2]) <= now) then return {1, redis.call('HGETALL', okey)} end
    end
  end
  local seq = redis.call('INCR', P .. '${KIND.seq}')
  local ws = redis.call('INCR', P .. '${KIND.wake}')
  redis.call('HSET', key, unpack(it.f))
  redis.call('HSET', key, 'seq', seq, 'status', 'pending', 'started', '0', 'attempt', '0',
    'wakeSeq', ws, 'createdAt', now, 'updatedAt', now)
  if ik then
    -- Kept on the record so that sweep can drop the index entry without rebuilding its name.
    redis.call('HSET', key, '_ikey', it.k)
    redis.call('SET', ik, it.id)
  end
  redis.call('ZADD', P .. '${KIND.pending}' .. it.p, ws, it.id)
  ax_add(it.id, seq, redis.call('HGET', key, 'actorType'), redis.call('HGET', key, 'actorId'))
  return {0, {seq, ws, now}}
end
`;

/** drop(id): deletes an ended invocation's journal and the promises it owns. */
export const DROP = `
local function drop(id)
  redis.call('DEL', P .. '${KIND.journal}' .. id)
  local owned = P .. '${KIND.owned}' .. id
  for _, pid in ipairs(redis.call('SMEMBERS', owned)) do redis.call('DEL', P .. '${KIND.promise}' .. pid) end
  redis.call('DEL', owned)
end
`;

/**
 * resolve(id, owner, json): the first resolution wins; refused once the owner has
 * ended (its promises were dropped with it). Wakes the invocation waiting on it.
 */
export const RESOLVE = `
local function resolve(pid, owner, json)
  local pk = P .. '${KIND.promise}' .. pid
  if redis.call('EXISTS', pk) == 1 then return 0 end
  if owner ~= '' then
    local st = redis.call('HGET', P .. '${KIND.inv}' .. owner, 'status')
    if st == 'completed' or st == 'failed' then return 0 end
  end
  redis.call('SET', pk, json)
  if owner ~= '' then redis.call('SADD', P .. '${KIND.owned}' .. owner, pid) end
  local wk = P .. '${KIND.waiting}' .. pid
  local waiter = redis.call('GET', wk)
  if waiter then
    local wkey = P .. '${KIND.inv}' .. waiter
    local f = redis.call('HMGET', wkey, 'status', 'waitingOn')
    if f[1] == 'pending' and f[2] == pid then
      redis.call('HDEL', wkey, 'waitingOn')
      wake(wkey, waiter)
      redis.call('DEL', wk)
    end
  end
  return 1
end
`;
