import { Redis } from 'ioredis';
import { backendUnavailable } from './backend.js';

/** The Redis the tests use; shared, so every test works under a prefix of its own. */
export const redisUrl = process.env.LOOM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * One admin connection for the reachability probe and key cleanup, failing fast
 * instead of retrying. Returns why Redis is unreachable, or undefined.
 */
export async function openAdmin(): Promise<{ admin: Redis; unreachable: string | undefined }> {
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let lastError: Error | undefined;
  admin.on('error', (err: Error) => (lastError = err));
  try {
    await admin.connect();
    await admin.ping();
    return { admin, unreachable: undefined };
  } catch (err) {
    admin.disconnect();
    return { admin, unreachable: `Redis is not reachable at ${redisUrl} (${lastError?.message ?? (err as Error).message})` };
  }
}

/** Deletes every key under a prefix. */
export async function dropPrefix(admin: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await admin.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * Declares what stands in for a suite when Redis is down: a failing test in CI
 * (a missing service is a broken pipeline, never a silently skipped backend),
 * a skipped one with the reason elsewhere.
 */
export function redisUnavailable(suite: string, reason: string): void {
  backendUnavailable(suite, 'Redis', reason, 'LOOM_TEST_REDIS_URL');
}
