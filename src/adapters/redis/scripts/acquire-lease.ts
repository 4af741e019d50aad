import { KIND } from '../keys.js';
import { PRELUDE } from './lib.js';

/**
 * Takes a partition's lease if it is free, expired, or already held by the same
 * owner (who then keeps its epoch). ARGV: prefix, partition, owner, ttlMs.
 * Returns {epoch, expiresAt} as strings, or nil when another live owner holds it.
 */
export const ACQUIRE_LEASE = `${PRELUDE}
local lk = P .. '${KIND.lease}' .. ARGV[2]
local cur = redis.call('HMGET', lk, 'owner', 'epoch', 'expiresAt')
local now = now_ms()
local live = cur[1] and tonumber(cur[3]) > now
if live and cur[1] ~= ARGV[3] then return false end
local epoch
if live then
  epoch = tonumber(cur[2])
else
  local ek = P .. '${KIND.epoch}' .. ARGV[2]
  epoch = redis.call('INCR', ek)
  -- Never hand out an epoch at or below a live hash's, even if the counter key was lost.
  if cur[2] and epoch <= tonumber(cur[2]) then
    epoch = tonumber(cur[2]) + 1
    redis.call('SET', ek, epoch)
  end
end
local exp = now + tonumber(ARGV[4])
redis.call('HSET', lk, 'owner', ARGV[3], 'epoch', epoch, 'expiresAt', exp)
redis.call('SADD', P .. '${KIND.leases}', ARGV[2])
return {string.format('%d', epoch), string.format('%.17g', exp)}
`;
