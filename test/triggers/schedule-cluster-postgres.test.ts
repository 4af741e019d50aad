// A cron every second on three postgres worker processes, one killed and one paused past its lease.
import { it } from 'node:test';
import { scheduleCluster } from './schedule-cluster.js';
import { backendReachable } from './reachable.js';

const why = await backendReachable('postgres');
it('fires every tick exactly once on postgres with a worker killed and one SIGSTOPped', { timeout: 120_000, skip: why && process.env.CI !== 'true' ? why : false }, async (t) => {
  if (why) throw new Error(why);
  const { cleanup } = await scheduleCluster('postgres', (m) => t.diagnostic(m));
  await cleanup();
});
