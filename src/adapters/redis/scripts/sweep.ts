import { KIND } from '../keys.js';
import { DROP, PRELUDE } from './lib.js';
import { ADMIN_INDEX } from './admin-index.js';

/**
 * Deletes up to `limit` expired terminal invocations and up to `limit` expired
 * actor idempotency records. ARGV: prefix, now, limit. Returns {deleted, invocation
 * index entries seen, idempotency index entries seen}: the caller loops while a
 * batch was full, so that one call never blocks Redis for long.
 */
export const SWEEP = `${PRELUDE}${DROP}${ADMIN_INDEX}
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local expiring = P .. '${KIND.expiring}'
local ids = redis.call('ZRANGEBYSCORE', expiring, '-inf', ARGV[2], 'LIMIT', 0, limit)
local n = 0
for _, id in ipairs(ids) do
  local ikey = P .. '${KIND.inv}' .. id
  local f = redis.call('HMGET', ikey, 'status', 'expiresAt', 'actorType', '_ikey')
  if not f[1] or f[1] == 'pending' or not f[2] then
    redis.call('ZREM', expiring, id)
  elseif tonumber(f[2]) > now then
    redis.call('ZADD', expiring, f[2], id)
  else
    ax_remove(ikey, id)
    redis.call('DEL', ikey)
    drop(id)
    if f[4] and redis.call('GET', P .. f[4]) == id then redis.call('DEL', P .. f[4]) end
    redis.call('ZREM', expiring, id)
    redis.call('ZREM', P .. '${KIND.dead}', id)
    redis.call('ZREM', P .. '${KIND.deadType}' .. f[3], id)
    n = n + 1
  end
end
local index = P .. '${KIND.aidemExp}'
local keys = redis.call('ZRANGEBYSCORE', index, '-inf', ARGV[2], 'LIMIT', 0, limit)
for _, k in ipairs(keys) do
  redis.call('DEL', P .. k)
  redis.call('ZREM', index, k)
end
return {n + #keys, #ids, #keys}
`;
