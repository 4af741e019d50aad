import { KIND } from '../keys.js';
import { PRELUDE } from './lib.js';

/**
 * Pending invocations of some partitions with wakeSeq > after, in wakeSeq order.
 * ARGV: prefix, after, limit, partition... Returns the fields of each.
 */
export const POLL_PENDING = `${PRELUDE}
local after, limit = ARGV[2], tonumber(ARGV[3])
local found = {}
for i = 4, #ARGV do
  local r = redis.call('ZRANGEBYSCORE', P .. '${KIND.pending}' .. ARGV[i], '(' .. after, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
  for j = 1, #r, 2 do found[#found + 1] = {tonumber(r[j + 1]), r[j]} end
end
table.sort(found, function(a, b) return a[1] < b[1] end)
local out = {}
for i = 1, math.min(limit, #found) do out[i] = redis.call('HGETALL', P .. '${KIND.inv}' .. found[i][2]) end
return out
`;
