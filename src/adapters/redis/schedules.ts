import type { ScheduleCursor, ScheduleRecord, ScheduleStore } from '../../ports/schedules.js';
import type { RedisConnection } from './connection.js';

// Each schedule is a hash `sched:<id>`; the ids are a sorted set, for ordered listing.
// Every operation is one script, so the cursor's compare-and-set is atomic in Redis.
const PUT = `
local k = ARGV[1] .. 'sched:' .. ARGV[2]
local t = redis.call('TIME')
local now = tostring(t[1] * 1000 + math.floor(t[2] / 1000))
if redis.call('EXISTS', k) == 1 then
  redis.call('HSET', k, 'spec', ARGV[3], 'paused', ARGV[4], 'updated', now)
else
  redis.call('HSET', k, 'spec', ARGV[3], 'paused', ARGV[4], 'tick', ARGV[5], 'enq', ARGV[6], 'updated', now)
  redis.call('ZADD', ARGV[1] .. 'sched:ids', 0, ARGV[2])
end
return redis.call('HMGET', k, 'spec', 'paused', 'tick', 'enq', 'updated')`;

const ADVANCE = `
local k = ARGV[1] .. 'sched:' .. ARGV[2]
local cur = redis.call('HMGET', k, 'tick', 'enq')
if cur[1] ~= ARGV[3] or cur[2] ~= ARGV[4] then return 0 end
local t = redis.call('TIME')
redis.call('HSET', k, 'tick', ARGV[5], 'enq', ARGV[6], 'updated', tostring(t[1] * 1000 + math.floor(t[2] / 1000)))
return 1`;

const LIST = `
local ids = redis.call('ZRANGE', ARGV[1] .. 'sched:ids', 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', ARGV[1] .. 'sched:' .. id, 'spec', 'paused', 'tick', 'enq', 'updated')
  if f[1] then out[#out + 1] = id; out[#out + 1] = f end
end
return out`;

const DELETE = `
redis.call('ZREM', ARGV[1] .. 'sched:ids', ARGV[2])
return redis.call('DEL', ARGV[1] .. 'sched:' .. ARGV[2])`;

type Fields = (string | null)[];

/** Schedules in Redis; the cursor moves by compare-and-set inside one script. */
export class RedisSchedules implements ScheduleStore {
  constructor(private readonly conn: RedisConnection) {}

  private eval(op: string, script: string, ...args: string[]): Promise<unknown> {
    return this.conn.run(op, () => this.conn.client.eval(script, 0, this.conn.luaPrefix, ...args));
  }

  async put(id: string, specJson: string, paused: boolean, cursor: ScheduleCursor): Promise<ScheduleRecord> {
    const f = (await this.eval(`saving schedule ${id}`, PUT, id, specJson, flag(paused), String(cursor.tick), flag(cursor.enqueued))) as Fields;
    return toRecord(id, f);
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    const f = await this.conn.run(`reading schedule ${id}`, () => this.conn.client.hmget(this.conn.prefix + 'sched:' + id, 'spec', 'paused', 'tick', 'enq', 'updated'));
    return f[0] === null ? undefined : toRecord(id, f);
  }

  async list(): Promise<ScheduleRecord[]> {
    const flat = (await this.eval('listing schedules', LIST)) as (string | Fields)[];
    const out: ScheduleRecord[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push(toRecord(flat[i] as string, flat[i + 1] as Fields));
    return out;
  }

  async delete(id: string): Promise<boolean> {
    return Number(await this.eval(`deleting schedule ${id}`, DELETE, id)) > 0;
  }

  async advance(id: string, from: ScheduleCursor, to: ScheduleCursor): Promise<boolean> {
    const r = await this.eval(`advancing schedule ${id}`, ADVANCE, id, String(from.tick), flag(from.enqueued), String(to.tick), flag(to.enqueued));
    return Number(r) === 1;
  }
}

const flag = (b: boolean): string => (b ? '1' : '0');

function toRecord(id: string, f: Fields): ScheduleRecord {
  return { id, specJson: f[0] ?? '{}', paused: f[1] === '1', cursor: { tick: Number(f[2]), enqueued: f[3] === '1' }, updatedAt: Number(f[4]) };
}
