import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ActorDataStore, ActorDataWrite } from '../ports/actor-data.js';
import type { Lease } from '../ports/lease.js';
import type { Store, TurnWrite } from '../ports/store.js';
import type { StoreFactory } from './store-contract.js';

/** What each test works on: its own actor type, ids and partition, so a shared backend's leftovers cannot interfere. */
interface DataScope {
  store: Store;
  data: ActorDataStore;
  type: string;
  id: string;
  lease: Lease;
  /** Commits one turn of a fresh invocation carrying `data` (and `extra`); returns its outcome. */
  commit(data: DataOf, extra?: Partial<TurnWrite>): Promise<string>;
  /** The turn `commit` would commit, enqueued but not committed. */
  prepared(data: DataOf, extra?: Partial<TurnWrite>): Promise<TurnWrite>;
}

type DataOf = Omit<ActorDataWrite, 'actorType' | 'actorId'> & { actorId?: string };

/**
 * Declares the contract tests of the actor data capability (`Store.actorData` and
 * `TurnWrite.data`) for one adapter; `storeContract` runs them for every store.
 * A store declared without the capability (`actorData: false`) is held to the
 * one thing it owes instead: it has no `actorData`, and a turn carrying data is
 * refused, never committed without it.
 */
export function actorDataContract(name: string, factory: StoreFactory, opts: { actorData?: boolean } = {}): void {
  if (opts.actorData === false) {
    it(`${name} declares no actor data and refuses a turn that carries some`, { timeout: 30_000 }, async () => {
      const { store, cleanup } = await factory();
      try {
        await store.init();
        assert.equal(store.actorData, undefined, `${name} was declared without actor data but has Store.actorData`);
        const s = await scope(store, {} as ActorDataStore);
        await assert.rejects(s.commit({ kv: [{ key: 'k', valueJson: '1' }] }), { code: 'LOOM_NO_ACTOR_DATA' });
      } finally {
        try {
          await store.close();
        } finally {
          await cleanup?.();
        }
      }
    });
    return;
  }
  const test = (title: string, body: (s: DataScope) => Promise<void>) =>
    it(title, { timeout: 30_000 }, async () => {
      const { store, cleanup } = await factory();
      try {
        await store.init();
        assert.ok(store.actorData, `${name} has no Store.actorData: implement it, or declare the store without it (storeContract(name, factory, { actorData: false }))`);
        await body(await scope(store, store.actorData));
      } finally {
        try {
          await store.close();
        } finally {
          await cleanup?.();
        }
      }
    });

  describe(`Actor data contract: ${name}`, () => {
    test('a key set by a committed turn reads back; unknown keys read as undefined', async (s) => {
      assert.equal(await s.commit({ kv: [{ key: 'a', valueJson: '{"x":1}' }] }), 'ok');
      assert.equal(await s.data.readKey(s.type, s.id, 'a'), '{"x":1}');
      assert.equal(await s.data.readKey(s.type, s.id, 'nope'), undefined);
    });

    test('within a turn and across turns the last write of a key wins; a delete removes it', async (s) => {
      await s.commit({ kv: [{ key: 'k', valueJson: '1' }, { key: 'k', valueJson: '2' }, { key: 'gone', valueJson: '0' }] });
      assert.equal(await s.data.readKey(s.type, s.id, 'k'), '2');
      await s.commit({ kv: [{ key: 'k', valueJson: '3' }, { key: 'gone', valueJson: undefined }] });
      assert.equal(await s.data.readKey(s.type, s.id, 'k'), '3');
      assert.equal(await s.data.readKey(s.type, s.id, 'gone'), undefined);
      await s.commit({ kv: [{ key: 'k', valueJson: undefined }, { key: 'k', valueJson: '4' }] });
      assert.equal(await s.data.readKey(s.type, s.id, 'k'), '4');
      assert.deepEqual(await s.data.listKeys(s.type, s.id, { limit: 10 }), ['k']);
    });

    test('listKeys pages in ascending order after the given key', async (s) => {
      const keys = ['b', 'a', 'c/1', 'c', 'A', 'é', 'z'];
      await s.commit({ kv: keys.map((key) => ({ key, valueJson: '0' })) });
      const sorted = [...keys].sort();
      assert.deepEqual(await s.data.listKeys(s.type, s.id, { limit: 100 }), sorted);
      const seen: string[] = [];
      for (let after: string | undefined; ; ) {
        const page = await s.data.listKeys(s.type, s.id, after === undefined ? { limit: 3 } : { after, limit: 3 });
        seen.push(...page);
        if (page.length < 3) break;
        after = page[page.length - 1];
      }
      assert.deepEqual(seen, sorted);
      assert.deepEqual(await s.data.listKeys(s.type, s.id, { after: 'c', limit: 2 }), ['c/1', 'z']);
    });

    test('appends take consecutive indexes across turns; bounds and readLog ranges follow', async (s) => {
      assert.deepEqual(await s.data.logBounds(s.type, s.id, 'm'), { first: 0, next: 0 });
      await s.commit({ logs: [{ name: 'm', append: ['"a"', '"b"'] }] });
      await s.commit({ logs: [{ name: 'm', append: ['"c"'] }] });
      assert.deepEqual(await s.data.logBounds(s.type, s.id, 'm'), { first: 0, next: 3 });
      const all = await s.data.readLog(s.type, s.id, 'm', 0, 3);
      assert.deepEqual(all, [{ index: 0, valueJson: '"a"' }, { index: 1, valueJson: '"b"' }, { index: 2, valueJson: '"c"' }]);
      assert.deepEqual((await s.data.readLog(s.type, s.id, 'm', 1, 2)).map((e) => e.valueJson), ['"b"']);
      assert.deepEqual((await s.data.readLog(s.type, s.id, 'm', 2, 100)).map((e) => e.index), [2]);
      assert.deepEqual(await s.data.readLog(s.type, s.id, 'm', 3, 10), []);
      assert.deepEqual(await s.data.readLog(s.type, s.id, 'other', 0, 10), []);
    });

    test('trimBefore removes older entries after the turn appends; indexes never shift', async (s) => {
      await s.commit({ logs: [{ name: 'm', append: ['0', '1', '2', '3', '4'] }] });
      await s.commit({ logs: [{ name: 'm', append: ['5'], trimBefore: 4 }] });
      assert.deepEqual(await s.data.logBounds(s.type, s.id, 'm'), { first: 4, next: 6 });
      assert.deepEqual(await s.data.readLog(s.type, s.id, 'm', 0, 10), [{ index: 4, valueJson: '4' }, { index: 5, valueJson: '5' }]);
      await s.commit({ logs: [{ name: 'm', trimBefore: 2 }] });
      assert.deepEqual(await s.data.logBounds(s.type, s.id, 'm'), { first: 4, next: 6 }, 'a trim below first changes nothing');
      await s.commit({ logs: [{ name: 'm', append: ['6'] }] });
      assert.deepEqual((await s.data.readLog(s.type, s.id, 'm', 0, 10)).map((e) => e.index), [4, 5, 6]);
      await s.commit({ logs: [{ name: 'm', trimBefore: 7 }] });
      assert.deepEqual(await s.data.logBounds(s.type, s.id, 'm'), { first: 7, next: 7 });
      assert.deepEqual(await s.data.readLog(s.type, s.id, 'm', 0, 10), []);
    });

    test('listLogs pages logs by name with their bounds', async (s) => {
      await s.commit({ logs: [{ name: 'b', append: ['1'] }, { name: 'a', append: ['1', '2'] }, { name: 'c', append: ['1'] }] });
      assert.deepEqual(await s.data.listLogs(s.type, s.id, { limit: 10 }), [
        { name: 'a', first: 0, next: 2 },
        { name: 'b', first: 0, next: 1 },
        { name: 'c', first: 0, next: 1 },
      ]);
      assert.deepEqual((await s.data.listLogs(s.type, s.id, { after: 'a', limit: 1 })).map((l) => l.name), ['b']);
    });

    test('a fenced turn applies none of its data', async (s) => {
      await s.commit({ kv: [{ key: 'k', valueJson: '1' }], logs: [{ name: 'm', append: ['1', '2'] }] });
      const outcome = await s.commit({ kv: [{ key: 'k', valueJson: '2' }, { key: 'new', valueJson: '1' }], logs: [{ name: 'm', append: ['3'], trimBefore: 2 }, { name: 'n', append: ['1'] }] }, { epoch: s.lease.epoch + 1 });
      assert.equal(outcome, 'fenced');
      assert.equal(await s.data.readKey(s.type, s.id, 'k'), '1');
      assert.equal(await s.data.readKey(s.type, s.id, 'new'), undefined);
      assert.deepEqual(await s.data.logBounds(s.type, s.id, 'm'), { first: 0, next: 2 });
      assert.deepEqual(await s.data.logBounds(s.type, s.id, 'n'), { first: 0, next: 0 });
      assert.deepEqual(await s.data.listLogs(s.type, s.id, { limit: 10 }), [{ name: 'm', first: 0, next: 2 }]);
    });

    test('a turn whose state version conflicts applies none of its data', async (s) => {
      const state = (expectedVersion: number) => ({ actorType: s.type, actorId: s.id, stateJson: '{}', expectedVersion });
      assert.equal(await s.commit({ kv: [{ key: 'k', valueJson: '1' }] }, { state: state(0) }), 'ok');
      assert.equal(await s.commit({ kv: [{ key: 'k', valueJson: '2' }], logs: [{ name: 'm', append: ['1'] }] }, { state: state(0) }), 'conflict');
      assert.equal(await s.data.readKey(s.type, s.id, 'k'), '1');
      assert.deepEqual(await s.data.logBounds(s.type, s.id, 'm'), { first: 0, next: 0 });
    });

    test('actors are isolated: same keys and log names of other ids and types are their own', async (s) => {
      const other = `${s.id}-other`;
      await s.commit({ kv: [{ key: 'k', valueJson: '"mine"' }], logs: [{ name: 'm', append: ['"mine"'] }] });
      await s.commit({ actorId: other, kv: [{ key: 'k', valueJson: '"theirs"' }], logs: [{ name: 'm', append: ['"t0"', '"t1"'] }] });
      assert.equal(await s.data.readKey(s.type, s.id, 'k'), '"mine"');
      assert.equal(await s.data.readKey(s.type, other, 'k'), '"theirs"');
      assert.deepEqual(await s.data.logBounds(s.type, s.id, 'm'), { first: 0, next: 1 });
      assert.deepEqual(await s.data.logBounds(s.type, other, 'm'), { first: 0, next: 2 });
      assert.equal(await s.data.readKey(`${s.type}x`, s.id, 'k'), undefined);
      assert.deepEqual(await s.data.listKeys(`${s.type}x`, s.id, { limit: 10 }), []);
    });

    test('large values and unusual text in keys and values round-trip', async (s) => {
      const big = JSON.stringify({ text: 'x'.repeat(1_000_000), emoji: '😀', quote: '"\'\\' });
      const key = 'clé 😀 / with spaces';
      await s.commit({ kv: [{ key, valueJson: big }], logs: [{ name: key, append: [big, '"\\u0000"'] }] });
      assert.equal(await s.data.readKey(s.type, s.id, key), big);
      assert.deepEqual(await s.data.listKeys(s.type, s.id, { limit: 10 }), [key]);
      const entries = await s.data.readLog(s.type, s.id, key, 0, 2);
      assert.equal(entries[0]?.valueJson, big);
      assert.equal(entries[1]?.valueJson, '"\\u0000"');
    });

    test('several turns in one commit call each apply their own data', async (s) => {
      const turns = [];
      for (let i = 0; i < 3; i++) turns.push(await s.prepared({ logs: [{ name: 'm', append: [String(i)] }], kv: [{ key: `k${i}`, valueJson: String(i) }] }));
      turns[1]!.epoch = s.lease.epoch + 1;
      const results = await s.store.commit(turns);
      assert.deepEqual(results.map((r) => r.outcome), ['ok', 'fenced', 'ok']);
      assert.deepEqual((await s.data.readLog(s.type, s.id, 'm', 0, 10)).map((e) => e.valueJson), ['0', '2']);
      assert.deepEqual(await s.data.listKeys(s.type, s.id, { limit: 10 }), ['k0', 'k2']);
    });
  });
}

async function scope(store: Store, data: ActorDataStore): Promise<DataScope> {
  const tag = randomUUID().slice(0, 8);
  const partition = 1 + Math.floor(Math.random() * 1_000_000);
  const lease = await store.leases.acquire(partition, `data-contract-${tag}`, 60_000);
  assert.ok(lease, `acquire partition ${partition}`);
  const type = `Data${tag}`;
  const id = `actor-${tag}`;
  const prepared = async (d: DataOf, extra?: Partial<TurnWrite>): Promise<TurnWrite> => {
    const actorId = d.actorId ?? id;
    const inv = { id: randomUUID(), actorType: type, actorId, method: 'run', argsJson: '[]', partition, ttlMs: 60_000 };
    await store.enqueue([inv]);
    const write: ActorDataWrite = { actorType: type, actorId };
    if (d.kv) write.kv = d.kv;
    if (d.logs) write.logs = d.logs;
    return { partition, epoch: lease.epoch, invocationId: inv.id, data: write, ...extra };
  };
  return {
    store,
    data,
    type,
    id,
    lease,
    prepared,
    async commit(d, extra) {
      const [r] = await store.commit([await prepared(d, extra)]);
      return r?.outcome ?? 'none';
    },
  };
}
