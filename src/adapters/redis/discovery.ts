import type { DiscoveryEntry, DiscoveryEntryInput, DiscoveryStore } from '../../ports/discovery.js';
import type { RedisConnection } from './connection.js';

// An entry is a string key `disc:e:<type>\0<id>` holding its JSON, with a PX expiry that
// Redis enforces on its own clock; each capability is a set of entry names, pruned
// of expired names when read.
const PUT = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local ttl = tonumber(ARGV[4])
local name = ARGV[2]
redis.call('SET', ARGV[1] .. 'disc:e:' .. name, string.gsub(ARGV[3], '"expiresAt":0', '"expiresAt":' .. string.format('%d', now + ttl), 1), 'PX', ttl)
for i = 5, #ARGV do redis.call('SADD', ARGV[1] .. 'disc:c:' .. ARGV[i], name) end
return now + ttl`;

const FIND = `
local set = ARGV[1] .. 'disc:c:' .. ARGV[2]
local out = {}
for _, name in ipairs(redis.call('SMEMBERS', set)) do
  local v = redis.call('GET', ARGV[1] .. 'disc:e:' .. name)
  if v then out[#out + 1] = v else redis.call('SREM', set, name) end
end
return out`;

/** Discovery entries in Redis, expiring by Redis's own key TTLs. */
export class RedisDiscovery implements DiscoveryStore {
  constructor(private readonly conn: RedisConnection) {}

  async put(e: DiscoveryEntryInput, ttlMs: number): Promise<void> {
    const json = JSON.stringify({ expiresAt: 0, ...e }); // first, so that the script replaces this one
    await this.conn.run(`registering ${e.actorType}/${e.actorId} for discovery`, () =>
      this.conn.client.eval(PUT, 0, this.conn.luaPrefix, `${e.actorType}\0${e.actorId}`, json, String(Math.max(1, Math.round(ttlMs))), ...e.capabilities),
    );
  }

  async find(capability: string): Promise<DiscoveryEntry[]> {
    const found = (await this.conn.run(`finding capability ${capability}`, () => this.conn.client.eval(FIND, 0, this.conn.luaPrefix, capability))) as string[];
    return found
      .map((s) => JSON.parse(s) as DiscoveryEntry)
      .filter((e) => e.capabilities.includes(capability))
      .sort((a, b) => compare(a.actorType, b.actorType) || compare(a.actorId, b.actorId));
  }

  async remove(actorType: string, actorId: string): Promise<boolean> {
    const n = await this.conn.run(`unregistering ${actorType}/${actorId}`, () => this.conn.client.del(`${this.conn.prefix}disc:e:${actorType}\0${actorId}`));
    return n > 0;
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
