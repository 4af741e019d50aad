/*
 * The admin indexes: sorted sets of invocation ids scored by seq (enqueue
 * order), kept by every script that inserts, ends, re-pends or deletes an
 * invocation, so that a page of any filter is a range read of one of them.
 *
 *   P idx:all                      every invocation
 *   P idx:status:<status>          by status
 *   P idx:type:<actorType>         by actor type
 *   P idx:actor:<n>:<type>:<id>    by actor (n = length of the type: no separator can collide)
 *   P idx:as:<status>:<n>:<type>:<id>  by actor and status (an actor's queue is idx:as:pending:...)
 *   P idx:error:<code>             by the stored error's code (field _ecode on the hash)
 */
export const ADMIN_INDEX = `
local function ax_actor(t, a) return #t .. ':' .. t .. ':' .. a end
local function ax_add(id, seq, t, a)
  redis.call('ZADD', P .. 'idx:all', seq, id)
  redis.call('ZADD', P .. 'idx:status:pending', seq, id)
  redis.call('ZADD', P .. 'idx:type:' .. t, seq, id)
  redis.call('ZADD', P .. 'idx:actor:' .. ax_actor(t, a), seq, id)
  redis.call('ZADD', P .. 'idx:as:pending:' .. ax_actor(t, a), seq, id)
end
local function ax_status(ikey, id, from, to)
  local f = redis.call('HMGET', ikey, 'seq', 'actorType', 'actorId')
  local actor = ax_actor(f[2], f[3])
  redis.call('ZREM', P .. 'idx:status:' .. from, id)
  redis.call('ZREM', P .. 'idx:as:' .. from .. ':' .. actor, id)
  redis.call('ZADD', P .. 'idx:status:' .. to, f[1], id)
  redis.call('ZADD', P .. 'idx:as:' .. to .. ':' .. actor, f[1], id)
end
local function ax_error(ikey, id, err)
  local ok, e = pcall(cjson.decode, err)
  local code = nil
  if ok and type(e) == 'table' and type(e.code) == 'string' then code = e.code end
  local f = redis.call('HMGET', ikey, 'seq', '_ecode')
  if f[2] and f[2] ~= code then
    redis.call('ZREM', P .. 'idx:error:' .. f[2], id)
    redis.call('HDEL', ikey, '_ecode')
  end
  if code and f[2] ~= code then
    redis.call('ZADD', P .. 'idx:error:' .. code, f[1], id)
    redis.call('HSET', ikey, '_ecode', code)
  end
end
local function ax_remove(ikey, id)
  local f = redis.call('HMGET', ikey, 'status', 'actorType', 'actorId', '_ecode')
  if not f[1] then return end
  local actor = ax_actor(f[2], f[3])
  redis.call('ZREM', P .. 'idx:all', id)
  redis.call('ZREM', P .. 'idx:status:' .. f[1], id)
  redis.call('ZREM', P .. 'idx:type:' .. f[2], id)
  redis.call('ZREM', P .. 'idx:actor:' .. actor, id)
  redis.call('ZREM', P .. 'idx:as:' .. f[1] .. ':' .. actor, id)
  if f[4] then redis.call('ZREM', P .. 'idx:error:' .. f[4], id) end
end
`;
