import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StorePoller } from '../src/core/poller.js';
import { OutageReporter } from '../src/core/outage.js';
import { silentLogger } from '../src/core/logger.js';
import { MemoryStore } from '../src/adapters/memory/index.js';
import type { InvocationRecord, NewInvocation } from '../src/ports/store.js';

const item = (i: number, partition = 0): NewInvocation => ({ id: `inv-${i}`, actorType: 'T', actorId: `a${i}`, method: 'm', argsJson: '[]', partition, ttlMs: 60_000 });

function poller(store: MemoryStore, held = new Set([0])) {
  const seen: InvocationRecord[] = [];
  const p = new StorePoller({ store, outage: new OutageReporter(silentLogger, 'the store'), dispatch: (rec) => seen.push(rec), holds: (n) => held.has(n) });
  return { p, seen };
}

describe('StorePoller', () => {
  it("recovers a partition's whole backlog, page by page, and none of another partition's", async () => {
    const store = new MemoryStore();
    await store.enqueue(Array.from({ length: 2500 }, (_, i) => item(i)));
    await store.enqueue([item(9999, 1)]);
    const { p, seen } = poller(store);
    await p.recover(0);
    assert.equal(seen.length, 2500);
    assert.equal(new Set(seen.map((r) => r.id)).size, 2500);
  });

  it('after the first poll, reads only what was enqueued or woken since', async () => {
    const store = new MemoryStore();
    await store.enqueue([item(1), item(2)]);
    const { p, seen } = poller(store);
    await p.poll([0]);
    assert.deepEqual(seen.map((r) => r.id), ['inv-1', 'inv-2']);
    await store.enqueue([item(3)]);
    await p.poll([0]);
    assert.deepEqual(seen.map((r) => r.id), ['inv-1', 'inv-2', 'inv-3']);
  });

  it('stops retrying a failing recovery once the partition is no longer held', { timeout: 5000 }, async () => {
    const store = new MemoryStore();
    const held = new Set([0]);
    let calls = 0;
    store.pollPending = async () => {
      calls++;
      held.delete(0);
      throw new Error('store down');
    };
    const { p } = poller(store, held);
    await p.recover(0);
    assert.equal(calls, 1);
  });
});
