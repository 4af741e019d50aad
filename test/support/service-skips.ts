import { openAdmin } from './redis.js';
import { adminPool, unreachable } from './postgres.js';

/**
 * Probes Redis and PostgreSQL once and returns the `skip` option for a suite on
 * a named backend: false when it can run; the reason, outside CI, when its
 * service is down; in CI a missing service throws (never a silent skip).
 */
export async function serviceSkips(): Promise<(name: string) => string | false> {
  const { admin, unreachable: redisDown } = await openAdmin();
  admin.disconnect();
  const pool = adminPool();
  const pgDown = await unreachable(pool);
  await pool.end();
  return (name) => {
    const why = name === 'redis' ? redisDown : name === 'postgres' ? pgDown : undefined;
    if (!why) return false;
    if (process.env.CI === 'true') throw new Error(why);
    return why;
  };
}
