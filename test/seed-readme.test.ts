// The seed README's code blocks that Loom runs, each as written there, with only
// the lines the README leaves out added (marked "added"): imports, the user's own
// helpers (stripe, types, the order helper methods), register(), isolation prefixes.
// The per-block status table is in README.md, Status; test/seed-status.test.ts
// keeps it true.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
// added: the seed imports from '@certo-ventures/loom'; the package is 'loom' (here, its source)
import { Actor as LoomActor, ActorRuntime, BullMQMessageAdapter, RedisIdempotencyStore, RedisStateAdapter, type Logger } from '../src/index.js';
import { dropPrefix, openAdmin } from './support/redis.js';

// ---- added: the user's own helpers the seed's examples assume ----------------
type Order = { id: string; amount: number };
type PaymentResult = { chargeId: string; amount: number };
const charges: (string | undefined)[] = [];
const stripe = { charge: async (order: Order): Promise<PaymentResult> => (charges.push(order.id), { chargeId: `ch_${order.id}`, amount: order.amount }) };
const done: string[] = [];
/** The order helpers the Basic Example calls on `this` (it declares none). */
class Actor extends LoomActor {
  async chargePayment(order: unknown) { done.push(`charge ${JSON.stringify(order)}`); }
  async shipOrder(order: unknown) { done.push(`ship ${JSON.stringify(order)}`); }
  async sendConfirmationEmail(order: unknown) { done.push(`email ${JSON.stringify(order)}`); }
}

// ---- "Actor-Based Architecture", verbatim -------------------------------------
class PaymentProcessor extends Actor {
  async processPayment(order: Order): Promise<PaymentResult> {
    // Check idempotency automatically
    if (await this.checkIdempotency(`payment-${order.id}`)) {
      return this.cachedResult; // Already processed
    }

    // Process payment (guaranteed exactly-once)
    const result = await stripe.charge(order);
    
    // Cache result for future duplicate requests
    await this.storeIdempotency(`payment-${order.id}`, result);
    
    return result;
  }
}

// ---- "Basic Example": the class, verbatim -------------------------------------
class OrderProcessor extends Actor {
  async processOrder(orderId: string): Promise<void> {
    // Check idempotency
    if (await this.checkIdempotency(`order-${orderId}`)) {
      return; // Already processed
    }

    // Process order
    await this.chargePayment(orderId);
    await this.shipOrder(orderId);
    await this.sendConfirmationEmail(orderId);

    // Store idempotency result
    await this.storeIdempotency(`order-${orderId}`, { success: true });
  }
}

/** Collects what the runtime logs, so that a clean run can be checked for alarming lines. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (a: unknown, b?: unknown) => void lines.push(`${level} ${typeof a === 'string' ? a : String(b)}`);
  return { lines, debug: () => {}, info: () => {}, warn: at('warn'), error: at('error') };
}

describe('the seed README, block by block, on Redis + BullMQ', () => {
  let admin: Redis;
  let unreachable: string | undefined;
  const prefix = `loom-seed-${randomUUID().slice(0, 8)}:`;
  before(async () => ({ admin, unreachable } = await openAdmin()));
  after(async () => {
    if (!unreachable) await dropPrefix(admin, prefix);
    admin?.disconnect();
  });
  const need = (t: { skip(m: string): void }): boolean => {
    if (!unreachable) return true;
    if (process.env.CI === 'true') assert.fail(`Redis is unreachable: ${unreachable}`);
    t.skip(unreachable);
    return false;
  };

  it('"Basic Example" + "Storage Configuration" (Redis) + "Exactly-Once Semantics" + "Actor-Based Architecture" run as written', { timeout: 60_000 }, async (t) => {
    if (!need(t)) return;
    // "Storage Configuration", verbatim:
    // Redis
    const redis = new Redis({
      host: 'localhost',
      port: 6379,
      password: process.env.REDIS_PASSWORD
    });
    t.after(() => redis.disconnect());
    const log = recordingLogger(); // added: to check what a clean run logs

    // "Basic Example", verbatim but for the added isolation prefixes and logger:
    // Configure runtime
    const runtime = new ActorRuntime({
      stateAdapter: new RedisStateAdapter(redis, { prefix }),
      messageAdapter: new BullMQMessageAdapter(redis, { prefix: `${prefix}q` }),
      idempotencyStore: new RedisIdempotencyStore(redis, 86400),
      logger: log,
    });
    runtime.register(OrderProcessor).register(PaymentProcessor); // added
    t.after(() => runtime.stop());

    // Send message with idempotency key
    const first = await runtime.send({
      actorId: 'order-processor-123',
      body: { orderId: 'order-123' },
      idempotencyKey: 'process-order-123', // Prevents duplicate processing
    });
    // The body is the handler's only argument: processOrder's `orderId` is the object { orderId: 'order-123' }.
    assert.equal(await runtime.result(first.invocationId), null);
    const order = JSON.stringify({ orderId: 'order-123' });
    assert.deepEqual(done, [`charge ${order}`, `ship ${order}`, `email ${order}`]);
    const again = await runtime.send({ actorId: 'order-processor-123', body: { orderId: 'order-123' }, idempotencyKey: 'process-order-123' });
    assert.deepEqual(again, { invocationId: first.invocationId, duplicate: true });
    const rec = await runtime.getInvocation(first.invocationId);
    assert.equal(rec?.method, 'processOrder', 'a body message goes to the first method the class declares');
    assert.ok(rec?.expiresAt && rec.expiresAt - rec.updatedAt >= 86_399_000, 'the idempotency TTL of 86400 s applies');
    // processOrder's own checkIdempotency: the same order under another key is not processed again.
    const other = await runtime.send({ actorId: 'order-processor-123', body: { orderId: 'order-123' }, idempotencyKey: 'retry-from-ui' });
    await runtime.result(other.invocationId);
    assert.equal(done.length, 3);

    // "Exactly-Once Semantics", verbatim; `queue` and `context` are added.
    const queue = runtime;
    const context = { trace: { trace_id: 'abc123' } };
    // Message with idempotency key - guaranteed to execute only once
    const sent = await queue.send({
      actorId: 'payment-processor',
      body: { orderId: '123', amount: 100 },
      idempotencyKey: `order-123-payment`, // Prevents duplicate charges
      trace: context.trace
    });
    assert.equal((await runtime.getInvocation(sent.invocationId))?.method, 'processPayment');
    assert.deepEqual((await runtime.getInvocation(sent.invocationId))?.meta?.trace, { trace_id: 'abc123' });
    // The seed's body has orderId where processPayment reads order.id: the charge is keyed "payment-undefined".
    assert.deepEqual(await runtime.result(sent.invocationId), { chargeId: 'ch_undefined', amount: 100 });

    // "Actor-Based Architecture": processPayment's checkIdempotency / cachedResult, as a typed result.
    const paid = await runtime.call<PaymentResult>({ actorType: 'PaymentProcessor', actorId: 'payment-processor', method: 'processPayment', args: [{ id: 'o-9', amount: 5 }] });
    const cached = await runtime.call<PaymentResult>({ actorType: 'PaymentProcessor', actorId: 'payment-processor', method: 'processPayment', args: [{ id: 'o-9', amount: 5 }] });
    assert.deepEqual(cached, paid);
    assert.deepEqual(charges, [undefined, 'o-9'], 'each order charged once');

    await runtime.stop();
    const alarming = log.lines.filter((l) => !/appendonly/.test(l));
    assert.deepEqual(alarming, [], 'a clean run and stop log nothing but the Redis durability advice');
    const [, aof] = (await admin.config('GET', 'appendonly')) as string[];
    assert.equal(log.lines.filter((l) => /appendonly/.test(l)).length, aof === 'yes' ? 0 : 1, 'the AOF advice, once, through the runtime logger');
  });
});
