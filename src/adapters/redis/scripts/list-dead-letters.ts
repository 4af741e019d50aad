import { KIND } from '../keys.js';
import { PRELUDE } from './lib.js';

/**
 * The newest `limit` dead letters of an index (by updatedAt), plus every entry
 * tied with the last one, so that the caller can break ties by seq exactly.
 * ARGV: prefix, index key suffix, limit (> 0). Returns the fields of each.
 */
export const LIST_DEAD_LETTERS = `${PRELUDE}
local z = P .. ARGV[2]
local limit = tonumber(ARGV[3])
local r = redis.call('ZREVRANGE', z, 0, limit - 1, 'WITHSCORES')
local ids, seen = {}, {}
for j = 1, #r, 2 do ids[#ids + 1] = r[j]; seen[r[j]] = true end
if #ids == limit then
  local last = r[#r]
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', z, last, last)) do
    if not seen[id] then ids[#ids + 1] = id end
  end
end
local out = {}
for i, id in ipairs(ids) do out[i] = redis.call('HGETALL', P .. '${KIND.inv}' .. id) end
return out
`;
