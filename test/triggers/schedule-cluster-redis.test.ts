// A cron every second on three redis worker processes, one killed and one paused past its lease.
import { it } from 'node:test';
import { scheduleCluster } from './schedule-cluster.js';
import { backendReachable } from './reachable.js';

const why = await backendReachable('redis');
it('fires every tick exactly once on redis with a worker killed and one SIGSTOPped', { timeout: 120_000, skip: why && process.env.CI !== 'true' ? why : false }, async (t) => {
  if (why) throw new Error(why);
  const { cleanup } = await scheduleCluster('redis', (m) => t.diagnostic(m));
  await cleanup();
});
