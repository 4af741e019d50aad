import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
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

if (!unreachable) {
  it('a store written before the admin indexes is indexed once on init', { timeout: 30_000 }, async () => {
    const prefix = `loom-test-admin:${randomUUID()}:`;
    const old = new RedisStore(redisUrl, { prefix, logger: { warn: () => {} } });
    try {
      await old.init();
      await old.enqueue([{ id: 'old-1', actorType: 'Legacy', actorId: 'x', method: 'm', argsJson: '[]', partition: 0, ttlMs: 60_000 }]);
      // What an older version left behind: the records without any admin index.
      const idx = (await admin.keys(`${prefix}idx:*`)) as string[];
      await admin.del(...idx);
      assert.deepEqual(await old.admin.listInvocations({ filter: { actorType: 'Legacy' }, limit: 10, newest: true }), []);
      const upgraded = new RedisStore(redisUrl, { prefix, logger: { warn: () => {} } });
      await upgraded.init();
      const found = await upgraded.admin.listInvocations({ filter: { actorType: 'Legacy', statuses: ['pending'] }, limit: 10, newest: true });
      assert.deepEqual(found.map((r) => r.id), ['old-1']);
      await upgraded.close();
    } finally {
      await old.close();
      await dropPrefix(admin, prefix);
    }
  });
}
