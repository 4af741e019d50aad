import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { RedisStore } from '../../src/adapters/redis/index.js';
import { dropPrefix, openAdmin, redisUnavailable, redisUrl } from '../support/redis.js';
import { adminScenarios } from './scenarios.js';

const { admin, unreachable } = await openAdmin();
if (unreachable) redisUnavailable('admin scenarios: redis', unreachable);
else {
  after(() => admin.quit());
  adminScenarios('redis', async () => {
    const prefix = `loom-test-admin:${randomUUID()}:`;
    return { store: () => new RedisStore(redisUrl, { prefix, logger: { warn: () => {} } }), cleanup: () => dropPrefix(admin, prefix) };
  });
}
