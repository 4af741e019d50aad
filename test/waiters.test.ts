import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResultWaiters } from '../src/core/waiters.js';
import { silentLogger } from '../src/core/logger.js';
import { MemoryStore } from '../src/adapters/memory/index.js';
import type { NewInvocation } from '../src/ports/store.js';

const item = (id: string): NewInvocation => ({ id, actorType: 'T', actorId: 'a', method: 'm', argsJson: '[]', partition: 0, ttlMs: 60_000 });

/** A store holding invocation `id`, and a way to complete it there as another process would. */
async function storeWith(id: string) {
  const store = new MemoryStore();
  const lease = await store.leases.acquire(0, 'elsewhere', 60_000);
  await store.enqueue([item(id)]);
  const complete = () =>
    store.commit([{ partition: 0, epoch: lease!.epoch, invocationId: id, transition: { status: 'completed', resultJson: '7', expiresAt: Date.now() + 60_000 } }]);
  return { store, complete };
}

describe('ResultWaiters', () => {
  // Waiter timers never hold the process open (a runtime's poll timer does); these tests hold it.
  let keepAlive: NodeJS.Timeout;
  before(() => (keepAlive = setInterval(() => {}, 1000)));
  after(() => clearInterval(keepAlive));

  it('a local finish answers every waiter of the invocation at once', async () => {
    const { store } = await storeWith('a');
    const w = new ResultWaiters(store, silentLogger, () => true);
    const both = Promise.all([w.wait('a'), w.wait('a')]);
    const rec = { ...(await store.getInvocation('a'))!, status: 'completed' as const, resultJson: '1' };
    w.notify(rec);
    assert.deepEqual((await both).map((r) => r.resultJson), ['1', '1']);
  });

  it('holds nothing for a waiter once it settled, before its first check was due', async () => {
    const { store } = await storeWith('h');
    const w = new ResultWaiters(store, silentLogger, () => true);
    const rec = { ...(await store.getInvocation('h'))!, status: 'completed' as const, resultJson: '1' };
    const calls = [];
    for (let i = 0; i < 100; i++) {
      calls.push(w.wait('h'));
      w.notify(rec);
    }
    await Promise.all(calls);
    assert.equal(w.held, 0);
  });

  it('finds an invocation finished by another process in the store', async () => {
    const { store, complete } = await storeWith('b');
    const w = new ResultWaiters(store, silentLogger, () => true);
    const waiting = w.wait('b');
    await complete();
    const t0 = Date.now();
    const rec = await waiting;
    assert.equal(rec.resultJson, '7');
    assert.ok(Date.now() - t0 < 1000, 'found by the first store checks');
  });

  it('an unarmed waiter leaves the store alone until arm()', async () => {
    const { store, complete } = await storeWith('c');
    const reads: string[] = [];
    const get = store.getInvocation.bind(store);
    store.getInvocation = (id) => (reads.push(id), get(id));
    const w = new ResultWaiters(store, silentLogger, () => true);
    const waiting = w.wait('c', false);
    await complete();
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(reads, [], 'no store check before the invocation is known to be stored');
    w.arm('c');
    assert.equal((await waiting).resultJson, '7');
  });

  it('rejects a waiter whose invocation the store does not know', async () => {
    const store = new MemoryStore();
    const w = new ResultWaiters(store, silentLogger, () => true);
    await assert.rejects(w.wait('nope'), /unknown to the store/);
  });
});
