import { KIND } from '../keys.js';
import { PRELUDE } from './lib.js';

/**
 * Extends a lease still held with the same owner and epoch. ARGV: prefix,
 * partition, owner, epoch, ttlMs. Returns the new expiresAt as a string, or nil when lost.
 */
export const RENEW_LEASE = `${PRELUDE}
local lk = P .. '${KIND.lease}' .. ARGV[2]
local cur = redis.call('HMGET', lk, 'owner', 'epoch')
if cur[1] ~= ARGV[3] or tonumber(cur[2]) ~= tonumber(ARGV[4]) then return false end
local exp = now_ms() + tonumber(ARGV[5])
redis.call('HSET', lk, 'expiresAt', exp)
return string.format('%.17g', exp)
`;
