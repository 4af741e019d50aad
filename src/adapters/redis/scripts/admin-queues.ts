import { KIND } from '../keys.js';
import { ADMIN_INDEX } from './admin-index.js';
import { PRELUDE } from './lib.js';

/**
 * The pending queues of several actors in one call, read from their
 * `idx:as:pending:<actor>` sorted sets. ARGV: prefix, JSON list of
 * [actorType, actorId, [seq...]], how many oldest to return, budget of
 * candidates tested per actor. Returns per actor {size, {ahead per seq},
 * {fields of each oldest}, '1' when the oldest are complete ('0': the budget
 * ran out on index entries whose record is gone; the caller reads them itself)}.
 * The counts are the index's, as `countInvocations` gives them; the oldest are
 * tested as `listInvocations` tests them.
 */
export const ADMIN_QUEUES = `${PRELUDE}${ADMIN_INDEX}
local actors = cjson.decode(ARGV[2])
local want, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
for i, a in ipairs(actors) do
  local z = P .. 'idx:as:pending:' .. ax_actor(a[1], a[2])
  local ahead = {}
  for j, seq in ipairs(a[3]) do ahead[j] = redis.call('ZCOUNT', z, '-inf', '(' .. seq) end
  local oldest, scanned, bound, complete = {}, 0, '-inf', '1'
  while #oldest < want do
    if scanned >= budget then complete = '0' break end
    local r = redis.call('ZRANGEBYSCORE', z, bound, '+inf', 'WITHSCORES', 'LIMIT', 0, want)
    if #r == 0 then break end
    for j = 1, #r, 2 do
      scanned = scanned + 1
      local key = P .. '${KIND.inv}' .. r[j]
      local h = redis.call('HMGET', key, 'status', 'actorType', 'actorId')
      if h[1] == 'pending' and h[2] == a[1] and h[3] == a[2] and #oldest < want then oldest[#oldest + 1] = redis.call('HGETALL', key) end
      bound = '(' .. r[j + 1]
    end
    if #r < want * 2 then break end
  end
  out[i] = {redis.call('ZCARD', z), ahead, oldest, complete}
end
return out
`;
