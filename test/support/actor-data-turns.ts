// Actor data written through the Store port as the engine writes it: TurnWrite.data in commit()
// and write(), read back through Store.actorData. Declared per adapter by its own test file.
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { ActorDataWrite } from '../../src/ports/actor-data.js';
import type { Lease } from '../../src/ports/lease.js';
import { isItemFailure, unlessFailed, type NewInvocation, type Store, type TurnWrite } from '../../src/ports/store.js';

export type DataStoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

interface Ctx {
  store: Store;
  lease: Lease;
  type: string;
  /** A pending invocation of actor `id`, for turns to commit on. */
  invocation(id?: string): Promise<string>;
  turn(invocationId: string, data: Omit<ActorDataWrite, 'actorType' | 'actorId'>, actorId?: string): TurnWrite;
  commit(...turns: TurnWrite[]): Promise<void>;
}

const PARTITION = 11;

export function actorDataTurns(name: string, factory: DataStoreFactory): void {
  const test = (title: string, body: (c: Ctx) => Promise<void>) =>
    it(title, { timeout: 120_000 }, async () => {
      const { store, cleanup } = await factory();
      try {
        await store.init();
        const lease = await store.leases.acquire(PARTITION, `data-${randomUUID()}`, 120_000);
        assert.ok(lease, 'the test acquires its partition');
        const type = `Data${randomUUID().slice(0, 8)}`;
        const c: Ctx = {
          store,
          lease,
          type,
          async invocation(actorId = 'a') {
            const inv: NewInvocation = { id: `inv-${randomUUID()}`, actorType: type, actorId, method: 'm', argsJson: '[]', partition: PARTITION, ttlMs: 60_000 };
            await store.enqueue([inv]);
            return inv.id;
          },
          turn: (invocationId, data, actorId = 'a') => ({ partition: PARTITION, epoch: lease.epoch, invocationId, data: { actorType: type, actorId, ...data } }),
          async commit(...turns) {
            const out = await store.commit(turns);
            assert.deepEqual(out.map((r) => r.outcome), turns.map(() => 'ok'));
          },
        };
        await body(c);
      } finally {
        try {
          await store.close();
        } finally {
          await cleanup();
        }
      }
    });
  const data = (c: Ctx) => {
    assert.ok(c.store.actorData, 'the store has the actorData capability');
    return c.store.actorData;
  };

  describe(`actor data through turns: ${name}`, () => {
    test('appends take indexes from the stored next; bounds and ranges read them back', async (c) => {
      const d = data(c);
      assert.deepEqual(await d.logBounds(c.type, 'a', 'chat'), { first: 0, next: 0 });
      const inv = await c.invocation();
      await c.commit(c.turn(inv, { logs: [{ name: 'chat', append: ['"a"', '"b"'] }] }));
      await c.commit(c.turn(inv, { logs: [{ name: 'chat', append: ['"c"'] }] }));
      assert.deepEqual(await d.logBounds(c.type, 'a', 'chat'), { first: 0, next: 3 });
      assert.deepEqual(await d.readLog(c.type, 'a', 'chat', 0, 10), [
        { index: 0, valueJson: '"a"' },
        { index: 1, valueJson: '"b"' },
        { index: 2, valueJson: '"c"' },
      ]);
      assert.deepEqual(await d.readLog(c.type, 'a', 'chat', 1, 2), [{ index: 1, valueJson: '"b"' }]);
      assert.deepEqual(await d.readLog(c.type, 'a', 'chat', 5, 9), []);
      assert.deepEqual((await d.readLog(c.type, 'a', 'chat', -5, Number.POSITIVE_INFINITY)).map((e) => e.index), [0, 1, 2], 'open bounds read what is kept');
      assert.deepEqual(await d.readLog(c.type, 'a', 'chat', 2, 1), []);
      assert.deepEqual(await d.readLog(c.type, 'a', 'nothing', 0, 9), []);
    });

    test('trimBefore removes the entries below it, after the appends of its turn; indexes never shift', async (c) => {
      const d = data(c);
      const inv = await c.invocation();
      await c.commit(c.turn(inv, { logs: [{ name: 'l', append: ['0', '1', '2', '3'] }] }));
      await c.commit(c.turn(inv, { logs: [{ name: 'l', append: ['4'], trimBefore: 2 }] }));
      assert.deepEqual(await d.logBounds(c.type, 'a', 'l'), { first: 2, next: 5 });
      assert.deepEqual((await d.readLog(c.type, 'a', 'l', 0, 100)).map((e) => e.index), [2, 3, 4]);
      await c.commit(c.turn(inv, { logs: [{ name: 'l', trimBefore: 1 }] }));
      assert.deepEqual(await d.logBounds(c.type, 'a', 'l'), { first: 2, next: 5 }, 'a trim below first changes nothing');
      await c.commit(c.turn(inv, { logs: [{ name: 'l', trimBefore: 99 }] }));
      assert.deepEqual(await d.logBounds(c.type, 'a', 'l'), { first: 5, next: 5 }, 'trimming past the end empties the log');
      await c.commit(c.turn(inv, { logs: [{ name: 'l', append: ['5'] }] }));
      assert.deepEqual(await d.readLog(c.type, 'a', 'l', 0, 100), [{ index: 5, valueJson: '5' }]);
      // Appends and a trim past them in one turn: the turn's own entries go too.
      await c.commit(c.turn(inv, { logs: [{ name: 'l', append: ['6', '7'], trimBefore: 8 }] }));
      assert.deepEqual(await d.logBounds(c.type, 'a', 'l'), { first: 8, next: 8 });
    });

    test('keys: set, last write in a turn wins, delete, list in order with paging', async (c) => {
      const d = data(c);
      const inv = await c.invocation();
      await c.commit(c.turn(inv, { kv: [{ key: 'b', valueJson: '1' }, { key: 'a', valueJson: '2' }, { key: 'b', valueJson: '3' }, { key: 'c', valueJson: '4' }] }));
      assert.equal(await d.readKey(c.type, 'a', 'b'), '3');
      assert.equal(await d.readKey(c.type, 'a', 'zz'), undefined);
      assert.deepEqual(await d.listKeys(c.type, 'a', { limit: 10 }), ['a', 'b', 'c']);
      assert.deepEqual(await d.listKeys(c.type, 'a', { limit: 2 }), ['a', 'b']);
      assert.deepEqual(await d.listKeys(c.type, 'a', { after: 'b', limit: 2 }), ['c']);
      assert.deepEqual(await d.listKeys(c.type, 'a', { after: 'a0', limit: 10 }), ['b', 'c']);
      await c.commit(c.turn(inv, { kv: [{ key: 'a', valueJson: undefined }, { key: 'c', valueJson: '5' }, { key: 'c', valueJson: undefined }] }));
      assert.equal(await d.readKey(c.type, 'a', 'a'), undefined);
      assert.equal(await d.readKey(c.type, 'a', 'c'), undefined, 'a delete after a set in one turn wins');
      assert.deepEqual(await d.listKeys(c.type, 'a', { limit: 10 }), ['b']);
      await c.commit(c.turn(inv, { kv: [{ key: 'a', valueJson: undefined }, { key: 'a', valueJson: '6' }] }));
      assert.equal(await d.readKey(c.type, 'a', 'a'), '6', 'a set after a delete in one turn wins');
    });

    test('listLogs pages the logs by name with their bounds', async (c) => {
      const d = data(c);
      const inv = await c.invocation();
      await c.commit(c.turn(inv, { logs: [{ name: 'b', append: ['1'] }, { name: 'a', append: ['1', '2'] }, { name: 'c', append: ['1'], trimBefore: 1 }] }));
      assert.deepEqual(await d.listLogs(c.type, 'a', { limit: 10 }), [
        { name: 'a', first: 0, next: 2 },
        { name: 'b', first: 0, next: 1 },
        { name: 'c', first: 1, next: 1 },
      ]);
      assert.deepEqual((await d.listLogs(c.type, 'a', { after: 'a', limit: 1 })).map((l) => l.name), ['b']);
    });

    test('a fenced or conflicting turn applies nothing of its data', async (c) => {
      const d = data(c);
      const inv = await c.invocation();
      await c.commit(c.turn(inv, { kv: [{ key: 'k', valueJson: '1' }], logs: [{ name: 'l', append: ['1'] }] }));
      const change = { kv: [{ key: 'k', valueJson: '2' }, { key: 'new', valueJson: '3' }], logs: [{ name: 'l', append: ['2'], trimBefore: 1 }, { name: 'm', append: ['x'] }] };
      const fenced = { ...c.turn(inv, change), epoch: c.lease.epoch + 1 };
      const badVersion: TurnWrite = { ...c.turn(inv, change), state: { actorType: c.type, actorId: 'a', stateJson: '{}', expectedVersion: 7 } };
      const ended = await c.invocation();
      await c.commit({ partition: PARTITION, epoch: c.lease.epoch, invocationId: ended, transition: { status: 'completed', resultJson: '1', expiresAt: Date.now() + 60_000 } });
      const afterEnd = c.turn(ended, change);
      assert.deepEqual((await c.store.commit([fenced, badVersion, afterEnd])).map((r) => r.outcome), ['fenced', 'conflict', 'conflict']);
      assert.equal(await d.readKey(c.type, 'a', 'k'), '1');
      assert.equal(await d.readKey(c.type, 'a', 'new'), undefined);
      assert.deepEqual(await d.listKeys(c.type, 'a', { limit: 10 }), ['k']);
      assert.deepEqual(await d.logBounds(c.type, 'a', 'l'), { first: 0, next: 1 });
      assert.deepEqual(await d.listLogs(c.type, 'a', { limit: 10 }), [{ name: 'l', first: 0, next: 1 }]);
    });

    test('actors do not see each other\'s data, nor their types', async (c) => {
      const d = data(c);
      const [i1, i2] = [await c.invocation('a'), await c.invocation('b')];
      await c.commit(c.turn(i1, { kv: [{ key: 'k', valueJson: '"a"' }], logs: [{ name: 'l', append: ['"a"'] }] }, 'a'));
      await c.commit(c.turn(i2, { kv: [{ key: 'k', valueJson: '"b"' }], logs: [{ name: 'l', append: ['"b"', '"b"'] }] }, 'b'));
      assert.equal(await d.readKey(c.type, 'a', 'k'), '"a"');
      assert.equal(await d.readKey(c.type, 'b', 'k'), '"b"');
      assert.deepEqual(await d.logBounds(c.type, 'a', 'l'), { first: 0, next: 1 });
      assert.deepEqual(await d.readLog(c.type, 'b', 'l', 0, 10), [{ index: 0, valueJson: '"b"' }, { index: 1, valueJson: '"b"' }]);
      assert.equal(await d.readKey(`${c.type}x`, 'a', 'k'), undefined);
      assert.deepEqual(await d.listKeys(c.type, 'c', { limit: 10 }), []);
      assert.deepEqual(await d.listLogs(c.type, 'c', { limit: 10 }), []);
    });

    test('in a write() batch, a turn whose data cannot be stored fails alone', async (c) => {
      assert.ok(c.store.write, 'the store has write()');
      const d = data(c);
      const [i1, i2, i3] = [await c.invocation('a'), await c.invocation('b'), await c.invocation('c')];
      const fresh: NewInvocation = { id: `inv-${randomUUID()}`, actorType: c.type, actorId: 'd', method: 'm', argsJson: '[]', partition: PARTITION, ttlMs: 60_000 };
      const out = await c.store.write([fresh], [
        c.turn(i1, { kv: [{ key: 'k', valueJson: '1' }] }, 'a'),
        c.turn(i2, { kv: [{ key: 'bad\u0000key', valueJson: '1' }] }, 'b'),
        c.turn(i3, { logs: [{ name: 'l', append: ['1'], trimBefore: 0.5 }] }, 'c'),
        c.turn(fresh.id, { logs: [{ name: 'l', append: ['1'] }] }, 'd'),
      ]);
      assert.deepEqual(unlessFailed(out.enqueued).map((r) => r.duplicate), [false]);
      const outcomes = out.committed.map((r) => (isItemFailure(r) ? 'failed' : r.outcome));
      assert.deepEqual(outcomes, ['ok', 'failed', 'failed', 'ok']);
      const failure = out.committed[1] as { failed: Error };
      assert.match(failure.failed.message, /actor data key/);
      assert.equal(await d.readKey(c.type, 'a', 'k'), '1');
      assert.deepEqual(await d.listKeys(c.type, 'b', { limit: 10 }), []);
      assert.deepEqual(await d.logBounds(c.type, 'c', 'l'), { first: 0, next: 0 });
      assert.deepEqual(await d.logBounds(c.type, 'd', 'l'), { first: 0, next: 1 }, 'a turn of an invocation enqueued by the same write');
    });

    test('10,000 appends: per-append and read-last-20 times stay flat (printed, not asserted)', async (c) => {
      const d = data(c);
      const inv = await c.invocation();
      const append = (i: number) => c.turn(inv, { logs: [{ name: 'chat', append: [JSON.stringify({ role: 'user', text: `message ${i} `.padEnd(200, '.') })] }] });
      const measure = async (at: number) => {
        const rounds = 50;
        let t = performance.now();
        for (let i = 0; i < rounds; i++) await c.commit(append(at + i));
        const perAppend = (performance.now() - t) / rounds;
        const { next } = await d.logBounds(c.type, 'a', 'chat');
        t = performance.now();
        let last: Awaited<ReturnType<typeof d.readLog>> = [];
        for (let i = 0; i < rounds; i++) last = await d.readLog(c.type, 'a', 'chat', next - 20, next);
        const perRead = (performance.now() - t) / rounds;
        assert.deepEqual(last.map((e) => e.index), Array.from({ length: 20 }, (_, i) => next - 20 + i));
        return { perAppend, perRead };
      };
      await c.commit(...Array.from({ length: 10 }, (_, i) => append(i)));
      const small = await measure(10);
      // Up to 10,000 in batches of 100 one-append turns (group commit), as the engine would write them.
      for (let n = 60; n < 10_000; n += 100) await c.commit(...Array.from({ length: Math.min(100, 10_000 - n) }, (_, i) => append(n + i)));
      assert.equal((await d.logBounds(c.type, 'a', 'chat')).next, 10_000);
      const large = await measure(10_000);
      const f = (ms: number) => `${ms.toFixed(3)} ms`;
      console.log(`[actor data ${name}] one-append turn: ${f(small.perAppend)} at 10 entries, ${f(large.perAppend)} at 10,000 (×${(large.perAppend / small.perAppend).toFixed(2)}); ` +
        `read of the last 20: ${f(small.perRead)} at 10, ${f(large.perRead)} at 10,000 (×${(large.perRead / small.perRead).toFixed(2)})`);
    });
  });
}
