import { KIND } from '../keys.js';
import { PRELUDE } from './lib.js';

/** Every current lease, as {partition, owner, epoch, expiresAt} strings. ARGV: prefix. */
export const LIST_LEASES = `${PRELUDE}
local out = {}
for _, p in ipairs(redis.call('SMEMBERS', P .. '${KIND.leases}')) do
  local f = redis.call('HMGET', P .. '${KIND.lease}' .. p, 'owner', 'epoch', 'expiresAt')
  if f[1] then out[#out + 1] = {p, f[1], f[2], f[3]} end
end
return out
`;
