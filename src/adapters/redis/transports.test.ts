import { after } from 'node:test';
import { transportContract } from '../../testing/index.js';
import { dropPrefix, openAdmin, redisUnavailable, redisUrl } from '../../../test/support/redis.js';
import { RedisPubSubNotifier } from './pubsub-notifier.js';
import { RedisStreamsTransport } from './streams-transport.js';

const silent = { warn: () => {} };
const { admin, unreachable } = await openAdmin();

if (unreachable) {
  redisUnavailable('redis transports', unreachable);
} else {
  after(() => admin.quit());
  // The contract's names are unique per test; both consumers of a redelivery test share one.
  transportContract(
    'redis-streams',
    async (name) => {
      const prefix = `loom-test:streams:${name}:`;
      return { transport: new RedisStreamsTransport(redisUrl, { prefix, logger: silent }), cleanup: () => dropPrefix(admin, prefix) };
    },
    { delivery: 'at-least-once' },
  );
  // Pub/Sub stores nothing in Redis: there is nothing to clean up.
  transportContract(
    'redis-pubsub',
    async (name) => ({ transport: new RedisPubSubNotifier(redisUrl, { prefix: `loom-test:pubsub:${name}:`, logger: silent }) }),
    { delivery: 'at-most-once' },
  );
}
