import type { Redis } from 'ioredis';

/** Where `init()` reports settings that put accepted messages at risk. */
export interface DurabilityLogger {
  warn(msg: string): void;
}

// Said once per process for each Redis and setting: several stores on one Redis (one per
// prefix, workers, tests) and every inspect of a long-lived process would repeat it.
const warned = new Set<string>();

/** Forgets what was said (tests). */
export function resetDurabilityWarnings(): void {
  warned.clear();
}

/**
 * Warns when Redis may lose what Loom stored: eviction under memory pressure, or
 * no AOF. Silent when CONFIG is disabled (managed Redis): it cannot be checked there.
 */
export async function checkDurability(client: Redis, where: string, log: DurabilityLogger): Promise<void> {
  const get = async (name: string): Promise<string | undefined> => {
    try {
      const reply = (await client.config('GET', name)) as unknown;
      return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
    } catch {
      return undefined;
    }
  };
  const warn = (issue: string, msg: string) => {
    if (warned.has(`${where} ${issue}`)) return;
    warned.add(`${where} ${issue}`);
    log.warn(msg);
  };
  const policy = await get('maxmemory-policy');
  if (policy !== undefined && policy !== 'noeviction') {
    warn(
      'eviction',
      `Redis at ${where} has maxmemory-policy ${policy}: under memory pressure it may evict Loom's keys and lose accepted messages. ` +
        `Set maxmemory-policy noeviction (redis.conf, or CONFIG SET maxmemory-policy noeviction).`,
    );
  }
  const aof = await get('appendonly');
  if (aof !== undefined && aof !== 'yes') {
    warn(
      'aof',
      `Redis at ${where} runs with appendonly ${aof}: acknowledged messages survive a Redis restart only with AOF: appendonly yes, appendfsync everysec or always.`,
    );
  } else if (aof === 'yes' && (await get('appendfsync')) === 'no') {
    warn('fsync', `Redis at ${where} runs with appendfsync no: a crash of its host can lose acknowledged messages. Use appendfsync everysec or always.`);
  }
}
