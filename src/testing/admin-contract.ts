import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StoreFactory } from './store-contract.js';
import type { Lease } from '../ports/lease.js';
import { readQueuesByRow, readRecordsByRow, type ActorQueueRead, type StoreAdmin, type StoreFilter } from '../ports/admin.js';
import type { InvocationRecord, JournalEntry, NewInvocation, Store, TurnWrite } from '../ports/store.js';

const CANCEL = { name: 'CancelledError', code: 'LOOM_CANCELLED', message: 'stop', terminal: true };

/**
 * Declares the admin capability's contract tests (`store.admin`: queries and
 * operator writes) for one adapter; `storeContract` runs it for every store.
 * Each test works on an actor type of its own, so a shared backend's other
 * data never matches its filters.
 */
export function adminContract(name: string, factory: StoreFactory): void {
  const test = (title: string, body: (store: Store, admin: StoreAdmin, s: Scope) => Promise<void>) =>
    it(title, { timeout: 30_000 }, async () => {
      const { store, cleanup } = await factory();
      try {
        await store.init();
        assert.ok(store.admin, `${name} has no admin capability (store.admin)`);
        await body(store, store.admin, scope());
      } finally {
        try {
          await store.close();
        } finally {
          await cleanup?.();
        }
      }
    });

  describe(`Store admin contract: ${name}`, () => {
    test('lists newest or oldest first and pages with afterSeq through every record exactly once', async (store, admin, s) => {
      const items = Array.from({ length: 7 }, () => s.inv());
      await store.enqueue(items);
      const all = await admin.listInvocations({ filter: s.f(), limit: 100, newest: true });
      assert.deepEqual(ids(all), items.map((i) => i.id).reverse());
      const oldest = await admin.listInvocations({ filter: s.f(), limit: 100, newest: false });
      assert.deepEqual(ids(oldest), items.map((i) => i.id));
      for (const newest of [true, false]) {
        const seen: string[] = [];
        let after: number | undefined;
        for (;;) {
          const page = await admin.listInvocations({ filter: s.f(), limit: 3, newest, ...(after !== undefined ? { afterSeq: after } : {}) });
          seen.push(...ids(page));
          if (page.length < 3) break;
          after = page[page.length - 1]!.seq;
        }
        assert.deepEqual(seen, newest ? items.map((i) => i.id).reverse() : items.map((i) => i.id));
      }
    });

    test('filters by actor id, method, status, idempotency key, attempt, error code and time, and counts the same', async (store, admin, s) => {
      const lease = await s.lease(store);
      const t0 = await store.now();
      const [a, b, c, d] = [s.inv({ method: 'charge', idempotencyKey: 'k-a' }), s.inv({ actorId: 'other' }), s.inv({ method: 'charge' }), s.inv()];
      await store.enqueue([a, b, c, d]);
      const now = await store.now();
      await s.ok(store, s.turn(lease, b.id, { transition: { status: 'completed', resultJson: '1', expiresAt: now + 60_000 } }));
      await s.ok(store, s.turn(lease, c.id, { transition: { status: 'pending', attempt: 2, notBefore: now + 60_000, error: { name: 'Error', message: 'psp down', code: 'PSP' } } }));
      await s.ok(store, s.turn(lease, d.id, { transition: { status: 'dead', attempt: 3, error: { name: 'Error', message: 'poison', code: 'POISON' }, expiresAt: now + 60_000 } }));
      const cases: [StoreFilter, string[]][] = [
        [s.f(), [a.id, b.id, c.id, d.id]],
        [s.f({ actorId: 'other' }), [b.id]],
        [s.f({ method: 'charge' }), [a.id, c.id]],
        [s.f({ statuses: ['pending'] }), [a.id, c.id]],
        [s.f({ statuses: ['completed', 'dead'] }), [b.id, d.id]],
        [s.f({ statuses: [] }), []],
        [s.f({ idempotencyKey: 'k-a' }), [a.id]],
        [s.f({ minAttempt: 2 }), [c.id, d.id]],
        [s.f({ errorCode: 'POISON' }), [d.id]],
        [s.f({ statuses: ['pending'], errorCode: 'PSP' }), [c.id]],
        [s.f({ createdAfter: t0 - 1 }), [a.id, b.id, c.id, d.id]],
        [s.f({ createdBefore: t0 - 60_000 }), []],
        [s.f({ terminalOnly: true, finishedAfter: now - 60_000 }), [b.id, d.id]],
        [s.f({ terminalOnly: true, finishedBefore: now - 60_000 }), []],
      ];
      for (const [filter, want] of cases) {
        const got = await admin.listInvocations({ filter, limit: 100, newest: false });
        assert.deepEqual(ids(got), want, `list ${JSON.stringify(filter)}`);
        assert.equal(await admin.countInvocations(filter), want.length, `count ${JSON.stringify(filter)}`);
      }
    });

    test('readQueues reads several actors\' pending queues at once, as the per-row index reads do', async (store, admin, s) => {
      const lease = await s.lease(store);
      const queue = Array.from({ length: 6 }, () => s.inv());
      const [solo, done] = [s.inv({ actorId: 'solo' }), s.inv({ actorId: 'done' })];
      await store.enqueue([...queue, solo, done]);
      const now = await store.now();
      await s.ok(store, s.turn(lease, queue[0]!.id, { transition: { status: 'completed', resultJson: '1', expiresAt: now + 60_000 } }));
      await s.ok(store, s.turn(lease, done.id, { transition: { status: 'completed', resultJson: '1', expiresAt: now + 60_000 } }));
      await s.ok(store, s.turn(lease, queue[2]!.id, { journal: [entry(0)] }));
      const seq = async (id: string) => (await store.getInvocation(id))!.seq;
      const asks: ActorQueueRead[] = [
        { actorType: s.actorType, actorId: s.actorId, seqs: await Promise.all([queue[5]!.id, queue[1]!.id, queue[3]!.id].map(seq)) },
        { actorType: s.actorType, actorId: 'solo', seqs: [await seq(solo.id)] },
        { actorType: s.actorType, actorId: 'done', seqs: [await seq(done.id)] },
        { actorType: s.actorType, actorId: 'nobody', seqs: [] },
      ];
      const byRow = await readQueuesByRow(admin, asks, 4);
      assert.deepEqual(byRow.map((q) => ({ oldest: ids(q.oldest), size: q.size, ahead: q.ahead })), [
        { oldest: queue.slice(1, 5).map((i) => i.id), size: 5, ahead: [4, 0, 2] },
        { oldest: [solo.id], size: 1, ahead: [0] },
        { oldest: [], size: 0, ahead: [0] },
        { oldest: [], size: 0, ahead: [] },
      ]);
      assert.equal(byRow[0]!.oldest[1]!.started, true);
      if (admin.readQueues) assert.deepEqual(await admin.readQueues(asks, 4), byRow);
    });

    test('readRecords reads several invocations and their pending sleeps at once, as getInvocation and loadJournal do', async (store, admin, s) => {
      const lease = await s.lease(store);
      const [a, b, c] = [s.inv(), s.inv({ actorId: 'b' }), s.inv({ actorId: 'c' })];
      await store.enqueue([a, b, c]);
      const until = (await store.now()) + 60_000;
      const sleep = (seq: number, status: 'done' | 'pending', at: number): JournalEntry => ({ seq, kind: 'sleep', name: `sleep-${seq}`, status, valueJson: String(at) });
      await s.ok(store, s.turn(lease, a.id, { journal: [entry(0), sleep(1, 'done', until - 1), sleep(2, 'pending', until)], transition: { status: 'pending', attempt: 0, notBefore: until } }));
      await s.ok(store, s.turn(lease, b.id, { journal: [entry(0)] }));
      const [ids, sleepsOf] = [[b.id, randomUUID(), a.id], [a.id, b.id, c.id, randomUUID()]];
      const byRow = await readRecordsByRow(store, ids, sleepsOf);
      assert.deepEqual(byRow.records.map((r) => r?.id), [b.id, undefined, a.id]);
      assert.deepEqual(byRow.sleeps, [[sleep(2, 'pending', until)], [], [], []]);
      if (admin.readRecords) assert.deepEqual(await admin.readRecords(ids, sleepsOf), byRow);
    });

    test('cancel ends a pending invocation as failed, rejects its caller, drops its journal, and a later turn conflicts', async (store, admin, s) => {
      const lease = await s.lease(store);
      const replyTo = `call:${randomUUID()}:c0`;
      const a = s.inv({ replyTo });
      await store.enqueue([a]);
      await s.ok(store, s.turn(lease, a.id, { journal: [entry(0)], transition: { status: 'pending', attempt: 0, waitingOn: `promise:${a.id}#approval` } }));
      assert.equal(await admin.cancel(a.id, CANCEL), 'ok');
      const rec = await store.getInvocation(a.id);
      assert.equal(rec?.status, 'failed');
      assert.equal(rec?.error?.code, 'LOOM_CANCELLED');
      assert.equal(rec?.waitingOn, undefined);
      assert.ok(rec?.expiresAt !== undefined);
      assert.deepEqual(await store.loadJournal(a.id), []);
      assert.equal((await store.getPromise(replyTo))?.error?.code, 'LOOM_CANCELLED', "the caller's promise is rejected");
      assert.deepEqual(ids(await store.pollPending([s.partition], 0, 100)), []);
      const [late] = await store.commit([s.turn(lease, a.id, { journal: [entry(1)] })]);
      assert.equal(late?.outcome, 'conflict', 'a running handler stops at its next durable operation');
      assert.equal(await admin.cancel(a.id, CANCEL), 'not-pending');
      assert.equal(await admin.cancel(randomUUID(), CANCEL), 'not-found');
    });

    test('retryNow clears a backoff and wakes the invocation; a sleep only with wakeSleep', async (store, admin, s) => {
      const lease = await s.lease(store);
      const [a, b] = [s.inv(), s.inv({ actorId: 'sleeper' })];
      await store.enqueue([a, b]);
      const now = await store.now();
      await s.ok(store, s.turn(lease, a.id, { transition: { status: 'pending', attempt: 1, notBefore: now + 600_000, error: { name: 'Error', message: 'x' } } }));
      const wakeAt = now + 600_000;
      await s.ok(store, s.turn(lease, b.id, { journal: [{ seq: 0, kind: 'sleep', name: 'sleep', status: 'pending', valueJson: String(wakeAt) }], transition: { status: 'pending', attempt: 0, notBefore: wakeAt } }));
      const before = Math.max((await store.getInvocation(a.id))!.wakeSeq, (await store.getInvocation(b.id))!.wakeSeq);
      assert.equal(await admin.retryNow(a.id), 'ok');
      const ra = await store.getInvocation(a.id);
      assert.equal(ra?.notBefore, undefined);
      assert.ok(ra!.wakeSeq > before, 'woken: pollers see it again');
      assert.deepEqual(ids(await store.pollPending([s.partition], before, 100)), [a.id]);
      assert.equal(await admin.retryNow(b.id), 'ok');
      assert.equal((await store.getInvocation(b.id))?.notBefore, wakeAt, 'a sleep is left alone');
      assert.equal(await admin.retryNow(b.id, { wakeSleep: true }), 'ok');
      assert.equal((await store.getInvocation(b.id))?.notBefore, undefined);
      const [sleep] = await store.loadJournal(b.id);
      assert.ok(Number(sleep?.valueJson) <= (await store.now()), 'the sleep records a time already passed, so its replay goes on');
      await s.ok(store, s.turn(lease, a.id, { transition: { status: 'completed', resultJson: '1', expiresAt: now + 60_000 } }));
      assert.equal(await admin.retryNow(a.id), 'not-pending');
    });

    test('purge deletes a finished invocation and frees its idempotency key; a pending one is refused', async (store, admin, s) => {
      const lease = await s.lease(store);
      const [a, b] = [s.inv({ idempotencyKey: 'once' }), s.inv()];
      await store.enqueue([a, b]);
      await s.ok(store, s.turn(lease, a.id, { transition: { status: 'completed', resultJson: '1', expiresAt: (await store.now()) + 600_000 } }));
      assert.equal(await admin.purge(b.id), 'not-terminal');
      assert.equal(await admin.purge(a.id), 'ok');
      assert.equal(await store.getInvocation(a.id), undefined);
      assert.equal(await admin.countInvocations(s.f({ statuses: ['completed'] })), 0);
      const [again] = await store.enqueue([s.inv({ idempotencyKey: 'once' })]);
      assert.equal(again?.duplicate, false);
      assert.equal(await admin.purge(a.id), 'not-found');
    });

    test('enqueueWithJournal stores a started invocation with the given journal, found by pollers', async (store, admin, s) => {
      const a = s.inv();
      const journal = [entry(0), entry(1)];
      assert.equal(await admin.enqueueWithJournal(a, journal), 'ok');
      const rec = await store.getInvocation(a.id);
      assert.equal(rec?.status, 'pending');
      assert.equal(rec?.started, true);
      assert.deepEqual(JSON.parse(JSON.stringify(await store.loadJournal(a.id))), journal);
      assert.deepEqual(ids(await store.pollPending([s.partition], 0, 100)), [a.id]);
      assert.equal(await admin.enqueueWithJournal(a, []), 'duplicate');
    });

    test('setState applies only at the expected version, and a turn holding the old version then conflicts', async (store, admin, s) => {
      const lease = await s.lease(store);
      const a = s.inv();
      await store.enqueue([a]);
      await s.ok(store, s.turn(lease, a.id, { state: { actorType: s.actorType, actorId: s.actorId, stateJson: '{"n":1}', expectedVersion: 0 } }));
      assert.deepEqual(await admin.setState(s.actorType, s.actorId, '{"n":5}', 0), { outcome: 'conflict', version: 1 });
      assert.deepEqual(await admin.setState(s.actorType, s.actorId, '{"n":5}', 1), { outcome: 'ok', version: 2 });
      assert.deepEqual(await store.loadState(s.actorType, s.actorId), { actorType: s.actorType, actorId: s.actorId, stateJson: '{"n":5}', version: 2 });
      const [stale] = await store.commit([s.turn(lease, a.id, { state: { actorType: s.actorType, actorId: s.actorId, stateJson: '{"n":2}', expectedVersion: 1 } })]);
      assert.equal(stale?.outcome, 'conflict');
      assert.deepEqual(await admin.setState(s.actorType, 'fresh', '{}', 0), { outcome: 'ok', version: 1 });
    });
  });
}

interface Scope {
  actorType: string;
  actorId: string;
  partition: number;
  f(extra?: StoreFilter): StoreFilter;
  inv(over?: Partial<NewInvocation>): NewInvocation;
  lease(store: Store): Promise<Lease>;
  turn(lease: Lease, invocationId: string, extra: Partial<TurnWrite>): TurnWrite;
  ok(store: Store, turn: TurnWrite): Promise<void>;
}

function scope(): Scope {
  const s: Scope = {
    actorType: `Admin${randomUUID().replace(/-/g, '').slice(0, 10)}`,
    actorId: 'a1',
    partition: 1 + Math.floor(Math.random() * 1_000_000),
    f: (extra = {}) => ({ actorType: s.actorType, ...extra }),
    inv: (over) => ({ id: randomUUID(), actorType: s.actorType, actorId: s.actorId, method: 'run', argsJson: '[]', partition: s.partition, ttlMs: 60_000, ...over }),
    async lease(store) {
      const lease = await store.leases.acquire(s.partition, `admin-${randomUUID()}`, 60_000);
      assert.ok(lease, `acquire partition ${s.partition}`);
      return lease;
    },
    turn: (lease, invocationId, extra) => ({ partition: lease.partition, epoch: lease.epoch, invocationId, ...extra }),
    async ok(store, turn) {
      const [r] = await store.commit([turn]);
      if (r?.outcome !== 'ok') assert.fail(`commit of ${turn.invocationId} returned ${r?.outcome}, expected ok`);
    },
  };
  return s;
}

const entry = (seq: number): JournalEntry => ({ seq, kind: 'step', name: `step-${seq}`, status: 'done', valueJson: `${seq}` });
const ids = (records: InvocationRecord[]) => records.map((r) => r.id);
