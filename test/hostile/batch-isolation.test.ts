// One bad item never fails the items it shares a group commit with, on every store that batches:
// it fails alone with its own error, and every good item is applied exactly once, nothing left pending.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Actor, ActorRuntime, type Store } from '../../src/index.js';
import { GroupCommitter } from '../../src/core/group-commit.js';
import { silentLogger } from '../../src/core/logger.js';
import { forEachStore, type StoreMaker } from '../support/stores.js';
import type { NewInvocation } from '../../src/ports/store.js';

const ALL_PARTITIONS = Array.from({ length: 64 }, (_, i) => i);

const item = (over: Partial<NewInvocation> = {}): NewInvocation => ({
  id: randomUUID(), actorType: 'T', actorId: `a-${randomUUID().slice(0, 8)}`, method: 'm', argsJson: '[]', partition: 3, ttlMs: 60_000, ...over,
});

/** Settles every promise and tells, in order, what each did: 'ok' or the error's code. */
async function outcomes(all: Promise<unknown>[]): Promise<string[]> {
  return (await Promise.allSettled(all)).map((r) => (r.status === 'fulfilled' ? 'ok' : String((r.reason as { code?: string }).code ?? (r.reason as Error).message)));
}

class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add() {
    return ++this.state.n;
  }
}

class Hostile extends Actor {
  static retryPolicy = { maxAttempts: 2, backoff: 'fixed' as const, initialDelayMs: 5 };
  /** Journals a step whose name no store can keep as text (a lone surrogate); the next step flushes it. */
  async badStepName() {
    await this.step('cut \ud83d emoji', () => 1);
    await this.step('next', () => 2);
    return 'unreachable';
  }
  /** Fails with an error whose failure record cannot be serialised. */
  async badFailure() {
    const err = new Error('boom');
    (err as unknown as { name: unknown }).name = 10n;
    throw err;
  }
}

function runtimeOn(store: Store): ActorRuntime {
  const rt = new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 50 });
  rt.register(Counter);
  rt.register(Hostile);
  return rt;
}

await forEachStore('one bad item in a group commit', (maker: StoreMaker) => {
  describe(`on ${maker.kind}, one bad item in a group commit`, () => {
    after(() => maker.cleanup());
    it('fails alone with its own error while every good enqueue and turn of its batch is applied', async (t) => {
      const store = maker.make();
      t.after(() => store.close());
      await store.init();
      const lease = await store.leases.acquire(3, 'w', 60_000);
      assert.ok(lease);
      const stored = Array.from({ length: 10 }, () => item());
      await store.enqueue(stored);
      const c = new GroupCommitter(store);
      const good = Array.from({ length: 30 }, () => item());
      // All issued in one tick: they share one batch.
      const all = [
        ...good.slice(0, 15).map((g) => c.enqueue(g)),
        c.enqueue(item({ meta: { trace: { span: 10n } } })),
        c.enqueue(item({ actorId: 'half \udc00 pair' })),
        ...stored.slice(0, 5).map((s) => c.commit({ partition: 3, epoch: lease.epoch, invocationId: s.id, journal: [{ seq: 0, kind: 'step', name: 'ok', status: 'done', valueJson: '1' }] })),
        c.commit({ partition: 3, epoch: lease.epoch, invocationId: stored[5]!.id, journal: [{ seq: 0, kind: 'step', name: 'nul\u0000name', status: 'done', valueJson: '1' }] }),
        c.commit({ partition: 3, epoch: lease.epoch, invocationId: stored[6]!.id, transition: { status: 'failed', error: { name: 'E', message: 'x', code: 1n as never }, attempt: 1, expiresAt: Date.now() + 60_000 } }),
        ...stored.slice(7).map((s) => c.commit({ partition: 3, epoch: lease.epoch, invocationId: s.id, transition: { status: 'completed', resultJson: '"done"', expiresAt: Date.now() + 60_000 } })),
        ...good.slice(15).map((g) => c.enqueue(g)),
      ];
      const got = await outcomes(all);
      assert.deepEqual(got, [
        ...Array(15).fill('ok'),
        'LOOM_NOT_SERIALIZABLE',
        'LOOM_INVALID_MESSAGE',
        ...Array(5).fill('ok'),
        'LOOM_INVALID_MESSAGE',
        'LOOM_NOT_SERIALIZABLE',
        ...Array(3).fill('ok'),
        ...Array(15).fill('ok'),
      ]);
      const pending = new Set((await store.pollPending([3], 0, 1000)).map((r) => r.id));
      for (const g of good) assert.ok(pending.has(g.id), 'every good enqueue is stored');
      assert.equal(pending.size, good.length + 7, 'the good ones, and the stored invocations whose turns did not end them');
      for (const s of stored.slice(0, 5)) assert.equal((await store.loadJournal(s.id)).length, 1, 'a good turn wrote its journal');
      assert.equal((await store.loadJournal(stored[5]!.id)).length, 0, 'the refused turn wrote nothing');
      assert.equal((await store.getInvocation(stored[6]!.id))?.status, 'pending', 'the refused failure was not written');
      for (const s of stored.slice(7)) assert.equal((await store.getInvocation(s.id))?.status, 'completed');
    });

    if (maker.kind !== 'redis') {
      it('writes a batch that the store refuses whole in smaller batches, until only the item at fault fails', async (t) => {
        const store = maker.make();
        t.after(() => store.close());
          await store.init();
        const c = new GroupCommitter(store);
        const good = Array.from({ length: 20 }, () => item());
        // Passes every check before the store; only the database refuses it (a partition out of range for
        // PostgreSQL's integer, an argument the SQLite driver cannot bind), failing the statement or transaction whole.
        const bad = maker.kind === 'postgres' ? item({ partition: 2 ** 40 }) : item({ argsJson: { not: 'a string' } as unknown as string });
        const got = await outcomes([...good.slice(0, 10).map((g) => c.enqueue(g)), c.enqueue(bad), ...good.slice(10).map((g) => c.enqueue(g))]);
        assert.deepEqual(got, [...Array(10).fill('ok'), 'LOOM_INVALID_MESSAGE', ...Array(10).fill('ok')]);
        assert.equal((await store.pollPending([3], 0, 1000)).length, good.length);
        assert.equal(await store.getInvocation(bad.id), undefined);
      });
    }

    it('runs every good call exactly once beside hostile ones, and leaves nothing pending, across a restart', async (t) => {
      const ns = maker.newNamespace();
      const rt = runtimeOn(maker.make(ns));
      t.after(() => rt.stop(100));
      await rt.start();
      const actors = ['c0', 'c1', 'c2', 'c3'];
      const calls: Promise<unknown>[] = [];
      const bad: Promise<unknown>[] = [];
      for (let i = 0; i < 10; i++) {
        for (const a of actors) calls.push(rt.call({ actorType: 'Counter', actorId: a, method: 'add', args: [], idempotencyKey: `k-${a}-${i}` }));
        if (i === 3) {
          bad.push(rt.call({ actorType: 'Counter', actorId: 'c0', method: 'add', args: [], idempotencyKey: 'bigint-trace', trace: { span: 7n } }));
          bad.push(rt.call({ actorType: 'Hostile', actorId: 'h1', method: 'badStepName', args: [], idempotencyKey: 'bad-step' }));
          bad.push(rt.call({ actorType: 'Hostile', actorId: 'h2', method: 'badFailure', args: [], idempotencyKey: 'bad-failure' }));
        }
      }
      const badOutcomes = outcomes(bad);
      const results = await Promise.all(calls);
      for (const [j, a] of actors.entries()) {
        const mine = results.filter((_, i) => i % actors.length === j) as number[];
        assert.deepEqual([...mine].sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], `each call to ${a} ran once`);
      }
      for (const code of await badOutcomes) assert.notEqual(code, 'LOOM_STORE', 'a hostile call fails with its own error, not as a store failure');
      await rt.stop();

      const again = runtimeOn(maker.make(ns));
      t.after(() => again.stop(100));
      await again.start();
      const store = again.store;
      assert.deepEqual((await store.pollPending(ALL_PARTITIONS, 0, 1000)).map((r) => `${r.actorType}/${r.actorId}.${r.method}`), [], 'nothing left pending');
      for (const a of actors) assert.deepEqual(await again.getState('Counter', a), { n: 10 });
      assert.equal(await again.call({ actorType: 'Counter', actorId: 'c1', method: 'add', args: [], idempotencyKey: 'k-c1-4' }), results[4 * actors.length + 1], 'a duplicate key gets the stored result');
      assert.deepEqual(await again.getState('Counter', 'c1'), { n: 10 });
    });
  });
}, ['sqlite', 'postgres', 'redis']);
