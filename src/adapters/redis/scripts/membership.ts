import { KIND } from '../keys.js';
import { PRELUDE } from './lib.js';

/**
 * Registers or refreshes a live member until ttlMs from now on the Redis clock,
 * and drops expired members. ARGV: prefix, owner, ttlMs. Returns 1.
 */
export const HEARTBEAT = `${PRELUDE}
local mk = P .. '${KIND.members}'
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', mk, '-inf', now)
redis.call('ZADD', mk, now + tonumber(ARGV[3]), ARGV[2])
return 1
`;

/** Live members (expiry after now on the Redis clock), unsorted. ARGV: prefix. */
export const MEMBERS = `${PRELUDE}
return redis.call('ZRANGEBYSCORE', P .. '${KIND.members}', '(' .. now_ms(), '+inf')
`;
