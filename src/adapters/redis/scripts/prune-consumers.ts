/**
 * Deletes the consumers of a stream's group that hold no pending entries and are
 * this one (closing) or idle for long (workers that left). Every restart names a
 * new consumer, so without this the group's consumer list only grows. Atomic, so
 * a consumer can never pick up an entry between the check and the delete (a
 * deleted consumer's pending entries would be lost); a live consumer deleted here
 * is recreated by its next read. KEYS: stream. ARGV: group, self, min idle ms.
 */
export const PRUNE_CONSUMERS = `
local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then return 0 end
local deleted = 0
for _, c in ipairs(consumers) do
  local f = {}
  for i = 1, #c, 2 do f[c[i]] = c[i + 1] end
  if f['pending'] == 0 and (f['name'] == ARGV[2] or (tonumber(f['idle']) or 0) >= tonumber(ARGV[3])) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name'])
    deleted = deleted + 1
  end
end
return deleted
`;
