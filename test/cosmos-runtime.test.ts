import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime } from '../src/index.js';
import { silentLogger } from '../src/core/logger.js';
import { CosmosStore } from '../src/adapters/cosmos/index.js';
import { cosmosEndpoint } from './support/cosmos.js';

const server = await cosmosEndpoint();
after(() => server.close());

class Ledger extends Actor<{ total: number }> {
  static initialState = { total: 0 };
  async add(n: number) {
    const receipt = await this.step('charge', (key) => ({ key, n }));
    this.state.total += receipt.n;
    return this.state.total;
  }
}

class Checkout extends Actor {
  async pay(n: number) {
    // Another actor, most likely in another partition: the call, its reply and the send go through the outbox.
    const total = await this.call<number>('Ledger', `ledger-${this.actorId}`, 'add', n);
    this.send('Ledger', 'audit', 'add', 1);
    await this.sleep('10ms');
    return total;
  }
}

it('runs actors on Cosmos DB: steps, state, calls between partitions, sends, sleeps and idempotency keys', { timeout: 60_000 }, async () => {
  const store = new CosmosStore({ endpoint: server.endpoint, key: server.key }, { database: 'loom-test', container: `rt-${randomUUID().slice(0, 8)}` });
  const runtime = new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 20, partitions: 8 });
  runtime.register(Ledger).register(Checkout);
  try {
    await runtime.start();
    const results = await Promise.all([1, 2, 3].map((n) => runtime.call<number>({ actorType: 'Checkout', actorId: `c${n}`, method: 'pay', args: [n * 10] })));
    assert.deepEqual(results, [10, 20, 30]);
    const again = await runtime.call<number>({ actorType: 'Ledger', actorId: 'ledger-c1', method: 'add', args: [5], idempotencyKey: 'k1' });
    const dup = await runtime.call<number>({ actorType: 'Ledger', actorId: 'ledger-c1', method: 'add', args: [5], idempotencyKey: 'k1' });
    assert.equal(again, 15);
    assert.equal(dup, 15, 'the duplicate key returns the stored result');
    for (let i = 0; i < 200 && (await store.loadState('Ledger', 'audit'))?.stateJson !== '{"total":3}'; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal((await store.loadState('Ledger', 'audit'))?.stateJson, '{"total":3}', 'the three sends were each applied once');
    assert.equal((await store.loadState('Ledger', 'ledger-c1'))?.stateJson, '{"total":15}');
  } finally {
    await runtime.stop();
  }
});
