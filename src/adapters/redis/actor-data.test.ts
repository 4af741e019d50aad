import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { RedisStore } from './store.js';
import { dropPrefix, openAdmin, redisUrl } from '../../../test/support/redis.js';
import { backendUnavailable } from '../../../test/support/backend.js';
import { actorDataTurns } from '../../../test/support/actor-data-turns.js';

const { admin, unreachable } = await openAdmin();
if (unreachable) {
  backendUnavailable('redis actor data', 'Redis', unreachable, 'LOOM_TEST_REDIS_URL');
} else {
  after(() => admin.quit());
  actorDataTurns('redis', async () => {
    const prefix = `loom-test:${randomUUID()}:`;
    return { store: new RedisStore(redisUrl, { prefix, logger: { warn: () => {} } }), cleanup: () => dropPrefix(admin, prefix) };
  });
}
