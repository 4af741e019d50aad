import { KIND } from '../keys.js';
import { PRELUDE, WAKE } from './lib.js';
import { ADMIN_INDEX } from './admin-index.js';

/** Puts a dead letter back to pending with attempt 0. ARGV: prefix, id. Returns its fields, or nil when not dead. */
export const REDRIVE = `${PRELUDE}${WAKE}${ADMIN_INDEX}
local id = ARGV[2]
local ikey = P .. '${KIND.inv}' .. id
local f = redis.call('HMGET', ikey, 'status', 'actorType')
if f[1] ~= 'dead' then return false end
local now = now_ms()
redis.call('HSET', ikey, 'status', 'pending', 'attempt', '0', 'updatedAt', now)
redis.call('HDEL', ikey, 'expiresAt', 'notBefore')
wake(ikey, id)
ax_status(ikey, id, 'dead', 'pending')
redis.call('ZREM', P .. '${KIND.expiring}', id)
redis.call('ZREM', P .. '${KIND.dead}', id)
redis.call('ZREM', P .. '${KIND.deadType}' .. f[2], id)
return redis.call('HGETALL', ikey)
`;
