import { KIND } from '../keys.js';
import { DECODE, DROP, INSERT, PRELUDE, RESOLVE, WAKE } from './lib.js';
import { APPLY_DATA } from './actor-data.js';

/**
 * One actor turn, atomically and fenced. ARGV: prefix, turn spec JSON (codec.ts
 * TurnSpec). Returns {'fenced'}, {'conflict'}, or {'ok', insert reply per outbox message}.
 * All checks come before the first write, so a rejected turn writes nothing.
 */
export const COMMIT = `${PRELUDE}${DECODE}${WAKE}${INSERT}${DROP}${RESOLVE}${APPLY_DATA}
local spec, refused = decode_arg(ARGV[2])
if not spec then return refused end
local epoch = redis.call('HGET', P .. '${KIND.lease}' .. spec.p, 'epoch')
if not epoch or tonumber(epoch) ~= tonumber(spec.e) then return {'fenced'} end
local id = spec.id
local ikey = P .. '${KIND.inv}' .. id
if redis.call('HGET', ikey, 'status') ~= 'pending' then return {'conflict'} end
local st = spec.st
if st and (tonumber(redis.call('HGET', P .. st.k, 'version')) or 0) ~= tonumber(st.v) then return {'conflict'} end

local now = now_ms()
if spec.j then
  -- One field per call: unpack() of a long journal would overflow Lua's stack.
  local jk = P .. '${KIND.journal}' .. id
  for i = 1, #spec.j, 2 do redis.call('HSET', jk, spec.j[i], spec.j[i + 1]) end
end
redis.call('HSET', ikey, 'started', '1', 'updatedAt', now)

local t = spec.t
if t then
  local old = redis.call('HGET', ikey, 'waitingOn')
  if old then redis.call('DEL', P .. '${KIND.waiting}' .. old) end
  if t.s == 'pending' then
    redis.call('HSET', ikey, 'attempt', t.a)
    if t.nb then redis.call('HSET', ikey, 'notBefore', t.nb) else redis.call('HDEL', ikey, 'notBefore') end
    if t.err then
      redis.call('HSET', ikey, 'error', t.err)
      ax_error(ikey, id, t.err)
    end
    if t.w then redis.call('HSET', ikey, 'waitingOn', t.w) else redis.call('HDEL', ikey, 'waitingOn') end
    if t.w and t.w ~= '' then
      if redis.call('EXISTS', P .. '${KIND.promise}' .. t.w) == 1 then
        -- Resolved before we suspended on it: run again at once.
        redis.call('HDEL', ikey, 'waitingOn')
        wake(ikey, id)
      else
        redis.call('SET', P .. '${KIND.waiting}' .. t.w, id)
      end
    end
  else
    local f = redis.call('HMGET', ikey, 'partition', 'actorType')
    redis.call('HSET', ikey, 'status', t.s, 'expiresAt', t.x)
    redis.call('HDEL', ikey, 'waitingOn', 'notBefore')
    if t.s == 'completed' then
      redis.call('HSET', ikey, 'resultJson', t.r)
    else
      redis.call('HSET', ikey, 'error', t.err, 'attempt', t.a)
    end
    redis.call('ZREM', P .. '${KIND.pending}' .. f[1], id)
    redis.call('ZADD', P .. '${KIND.expiring}', t.x, id)
    ax_status(ikey, id, 'pending', t.s)
    if t.s ~= 'completed' then ax_error(ikey, id, t.err) end
    if t.s == 'dead' then
      -- A dead letter keeps its journal: redrive resumes it.
      redis.call('ZADD', P .. '${KIND.dead}', now, id)
      redis.call('ZADD', P .. '${KIND.deadType}' .. f[2], now, id)
    else
      drop(id)
    end
  end
end

if st then
  redis.call('HSET', P .. st.k, 't', st.ty, 'a', st.ai, 'json', st.json, 'version', tonumber(st.v) + 1)
  redis.call('ZADD', P .. '${KIND.actors}', 0, st.m)
end

for _, r in ipairs(spec.idem or {}) do
  local k = P .. r[1]
  local e = tonumber(r[3])
  -- DEL first: a rewrite must not inherit the old record's TTL.
  redis.call('DEL', k)
  redis.call('HSET', k, 'r', r[2], 'e', r[3])
  -- The TTL only frees memory early; sweep (via the index) stays the authority.
  if e > now and e < 1e15 then redis.call('PEXPIREAT', k, math.ceil(e)) end
  redis.call('ZADD', P .. '${KIND.aidemExp}', r[3], r[1])
end

if spec.d then apply_data(spec.d) end

local out = {'ok'}
for _, it in ipairs(spec.ob or {}) do out[#out + 1] = insert(it, now) end
for _, r in ipairs(spec.rs or {}) do resolve(r[1], r[2], r[3]) end
return out
`;
