import { KIND } from '../keys.js';
import { PRELUDE } from './lib.js';

/**
 * Gives up a lease held with the same owner and epoch. The epoch counter stays,
 * so the next holder still gets a greater epoch. ARGV: prefix, partition, owner, epoch.
 */
export const RELEASE_LEASE = `${PRELUDE}
local lk = P .. '${KIND.lease}' .. ARGV[2]
local cur = redis.call('HMGET', lk, 'owner', 'epoch')
if cur[1] ~= ARGV[3] or tonumber(cur[2]) ~= tonumber(ARGV[4]) then return 0 end
redis.call('DEL', lk)
redis.call('SREM', P .. '${KIND.leases}', ARGV[2])
return 1
`;
