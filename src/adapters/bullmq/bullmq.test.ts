import { after } from 'node:test';
import { transportContract } from '../../testing/index.js';
import { dropPrefix, openAdmin, redisUnavailable, redisUrl } from '../../../test/support/redis.js';
import { BullMQMessageAdapter, BullMQTransport } from './index.js';

const silent = { warn: () => {} };
const { admin, unreachable } = await openAdmin();

if (unreachable) {
  redisUnavailable('bullmq transport', unreachable);
} else {
  after(() => admin.quit());
  // The contract's names are unique per test; both consumers of a redelivery test share one.
  // BullMQ keys are `${prefix}:p{n}:…`, so dropping the prefix deletes every queue of the test.
  transportContract(
    'bullmq',
    async (name) => {
      const prefix = `loom-test-bullmq-${name}`;
      return { transport: new BullMQTransport(redisUrl, { prefix, logger: silent }), cleanup: () => dropPrefix(admin, `${prefix}:`) };
    },
    { delivery: 'at-least-once' },
  );
  // The seed's name runs the same contract, so the alias cannot drift from the transport.
  transportContract(
    'bullmq (BullMQMessageAdapter)',
    async (name) => {
      const prefix = `loom-test-bullmq-${name}`;
      return { transport: new BullMQMessageAdapter(redisUrl, { prefix, logger: silent }), cleanup: () => dropPrefix(admin, `${prefix}:`) };
    },
    { delivery: 'at-least-once' },
  );
}
