// The seed README's examples, as written there, are acceptance tests: each runs
// against the real Redis here (only isolation prefixes and the register() call
// the README leaves out are added).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Actor, ActorRuntime } from '../src/index.js';
import { RedisStateAdapter, RedisIdempotencyStore } from '../src/adapters/redis/index.js';
import { BullMQMessageAdapter } from '../src/adapters/bullmq/index.js';
import { silentLogger } from '../src/core/logger.js';
import { dropPrefix, openAdmin } from './support/redis.js';

type Order = { id: string; amount: number };
type PaymentResult = { chargeId: string; amount: number };
const charges: string[] = [];
const stripe = { charge: async (order: Order) => (charges.push(order.id), { chargeId: `ch_${order.id}`, amount: order.amount }) };
const shipped: string[] = [];

// From the README's "Actor-Based Architecture" section.
class PaymentProcessor extends Actor {
  async processPayment(order: Order): Promise<PaymentResult> {
    if (await this.checkIdempotency(`payment-${order.id}`)) {
      return this.cachedResult as PaymentResult;
    }
    const result = await stripe.charge(order);
    await this.storeIdempotency(`payment-${order.id}`, result);
    return result;
  }
}

// From the README's "Basic Example".
class OrderProcessor extends Actor {
  static defaultHandler = 'processOrder';
  async processOrder(body: { orderId: string }): Promise<void> {
    const orderId = body.orderId;
    if (await this.checkIdempotency(`order-${orderId}`)) {
      return;
    }
    await this.chargePayment(orderId);
    await this.shipOrder(orderId);
    await this.sendConfirmationEmail(orderId);
    await this.storeIdempotency(`order-${orderId}`, { success: true });
  }
  async chargePayment(orderId: string) {
    await this.step('charge', () => charges.push(orderId));
  }
  async shipOrder(orderId: string) {
    await this.step('ship', () => shipped.push(orderId));
  }
  async sendConfirmationEmail(orderId: string) {
    await this.step('email', () => orderId);
  }
}

describe('the seed README examples on Redis', () => {
  let admin: Redis;
  let unreachable: string | undefined;
  const prefix = `loom-seed-${randomUUID().slice(0, 8)}:`;
  before(async () => ({ admin, unreachable } = await openAdmin()));
  after(async () => {
    if (!unreachable) await dropPrefix(admin, prefix);
    admin?.disconnect();
  });

  it('runs the Basic Example: RedisStateAdapter + BullMQMessageAdapter + RedisIdempotencyStore, send with an idempotency key', { timeout: 30_000 }, async (t) => {
    if (unreachable) {
      if (process.env.CI === 'true') assert.fail(`Redis is unreachable: ${unreachable}`);
      return t.skip(unreachable);
    }
    const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null });
    const runtime = new ActorRuntime({
      stateAdapter: new RedisStateAdapter(redis, { prefix, logger: silentLogger }),
      messageAdapter: new BullMQMessageAdapter(redis, { prefix: `${prefix}q` }),
      idempotencyStore: new RedisIdempotencyStore(redis, 86400),
      logger: silentLogger,
    });
    runtime.register(OrderProcessor).register(PaymentProcessor);
    try {
      charges.length = 0;
      const first = await runtime.send({
        actorId: 'order-processor-123',
        body: { orderId: 'order-123' },
        idempotencyKey: 'process-order-123', // Prevents duplicate processing
      });
      const again = await runtime.send({ actorId: 'order-processor-123', body: { orderId: 'order-123' }, idempotencyKey: 'process-order-123' });
      assert.equal(again.duplicate, true);
      assert.equal(await runtime.result(first.invocationId), null);
      assert.deepEqual(charges, ['order-123']);
      const rec = await runtime.getInvocation(first.invocationId);
      assert.ok(rec?.expiresAt && rec.expiresAt - rec.updatedAt >= 86_399_000, 'the idempotency TTL of 86400 s applies');

      // The "Exactly-Once Semantics" example: queue.send(...) with a trace.
      const queue = runtime;
      const context = { trace: { trace_id: 'abc123' } };
      const paid = await queue.send({
        actorId: 'payment-processor',
        body: { id: '123', amount: 100 },
        idempotencyKey: `order-123-payment`, // Prevents duplicate charges
        trace: context.trace,
      });
      assert.deepEqual(await runtime.result(paid.invocationId), { chargeId: 'ch_123', amount: 100 });
      assert.deepEqual((await runtime.getInvocation(paid.invocationId))?.meta?.trace, { trace_id: 'abc123' });
      // processPayment's own check/storeIdempotency: a second order-123 under another key is not charged again.
      const second = await runtime.call({ actorType: 'PaymentProcessor', actorId: 'payment-processor', method: 'processPayment', args: [{ id: '123', amount: 100 }] });
      assert.deepEqual(second, { chargeId: 'ch_123', amount: 100 });
      assert.deepEqual(charges, ['order-123', '123']);
    } finally {
      await runtime.stop();
      redis.disconnect();
    }
  });
});
