// Why a backend cannot be reached, or undefined.
import { openAdmin } from '../support/redis.js';
import { adminPool, unreachable } from '../support/postgres.js';

export async function backendReachable(kind: 'redis' | 'postgres'): Promise<string | undefined> {
  if (kind === 'redis') {
    const { admin, unreachable: why } = await openAdmin();
    if (!why) await admin.quit();
    return why;
  }
  const pool = adminPool();
  try {
    return await unreachable(pool);
  } finally {
    await pool.end();
  }
}
