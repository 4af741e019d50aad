import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor } from '../src/index.js';
import { memoryRuntime } from './support/runtime.js';

class Account extends Actor<{ balance: number; history: string[] }> {
  static initialState = { balance: 0, history: [] as string[] };
  async deposit(amount: number) {
    this.state.balance += amount;
    this.state.history.push(`+${amount}`);
    return this.state.balance;
  }
  async balance() {
    return this.state.balance;
  }
  async whoami() {
    return `${this.actorType}/${this.actorId}`;
  }
}

class OrderProcessor extends Actor<{ processed: string[] }> {
  static initialState = { processed: [] as string[] };
  static defaultHandler = 'processOrder';
  async processOrder(body: { orderId: string }) {
    if (await this.checkIdempotency(`order-${body.orderId}`)) return this.cachedResult;
    this.state.processed.push(body.orderId);
    const result = { success: true, orderId: body.orderId };
    await this.storeIdempotency(`order-${body.orderId}`, result);
    return result;
  }
}

class Renamed extends Actor {
  static actorType = 'payments.v2';
  async ping() {
    return 'pong';
  }
}

describe('the actor API', () => {
  it('returns a handler result from call and keeps state between calls', async () => {
    const rt = await memoryRuntime();
    rt.register(Account);
    await rt.start();
    assert.equal(await rt.call({ actorType: 'Account', actorId: 'a', method: 'deposit', args: [5] }), 5);
    assert.equal(await rt.call({ actorType: 'Account', actorId: 'a', method: 'deposit', args: [7] }), 12);
    assert.equal(await rt.call({ actorType: 'Account', actorId: 'b', method: 'balance' }), 0);
    assert.deepEqual(await rt.getState('Account', 'a'), { balance: 12, history: ['+5', '+7'] });
    assert.equal(await rt.call({ actorType: 'Account', actorId: 'a', method: 'whoami' }), 'Account/a');
    await rt.stop();
  });

  it('resolves send once the message is accepted, and the handler runs after', async () => {
    const rt = await memoryRuntime();
    rt.register(Account);
    const receipt = await rt.send({ actorType: 'Account', actorId: 'a', method: 'deposit', args: [3] });
    assert.equal(receipt.duplicate, false);
    assert.equal(await rt.result(receipt.invocationId), 3);
    await rt.stop();
  });

  it('routes the README message shape { actorId, body } by the id prefix to the default handler', async () => {
    const rt = await memoryRuntime();
    rt.register(Account).register(OrderProcessor);
    const first = await rt.send({ actorId: 'order-processor-123', body: { orderId: 'order-123' }, idempotencyKey: 'process-order-123' });
    assert.deepEqual(await rt.result(first.invocationId), { success: true, orderId: 'order-123' });
    const again = await rt.send({ actorId: 'order-processor-123', body: { orderId: 'order-123' }, idempotencyKey: 'process-order-123' });
    assert.equal(again.duplicate, true);
    assert.equal(again.invocationId, first.invocationId);
    assert.deepEqual(await rt.getState('OrderProcessor', 'order-processor-123'), { processed: ['order-123'] });
    await rt.stop();
  });

  it('answers checkIdempotency from storeIdempotency records across invocations', async () => {
    const rt = await memoryRuntime();
    rt.register(OrderProcessor);
    await rt.start();
    const a = await rt.call({ actorType: 'OrderProcessor', actorId: 'op', method: 'processOrder', args: [{ orderId: 'x' }] });
    const b = await rt.call({ actorType: 'OrderProcessor', actorId: 'op', method: 'processOrder', args: [{ orderId: 'x' }] });
    assert.deepEqual(a, b);
    assert.deepEqual(await rt.getState('OrderProcessor', 'op'), { processed: ['x'] });
    await rt.stop();
  });

  it('uses static actorType as the type name', async () => {
    const rt = await memoryRuntime();
    rt.register(Renamed);
    assert.equal(await rt.call({ actorType: 'payments.v2', actorId: '1', method: 'ping' }), 'pong');
    await rt.stop();
  });

  it('refuses durable primitives outside a running handler', async () => {
    const acc = new Account();
    await assert.rejects(() => acc.checkIdempotency('k'), { code: 'LOOM_RUNTIME_STATE' });
  });
});

describe('activations', () => {
  it('evicts idle activations beyond maxActivations without losing state', async () => {
    const rt = await memoryRuntime({ maxActivations: 5, idleTimeoutMs: 60_000 });
    rt.register(Account);
    await rt.start();
    for (let i = 0; i < 50; i++) await rt.call({ actorType: 'Account', actorId: `e${i}`, method: 'deposit', args: [i] });
    assert.ok(rt.activeActors <= 5, `expected at most 5 activations after eviction, got ${rt.activeActors}`);
    for (let i = 0; i < 50; i++) assert.equal(await rt.call({ actorType: 'Account', actorId: `e${i}`, method: 'deposit', args: [1] }), i + 1);
    await rt.stop();
  });
});
