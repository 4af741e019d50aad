import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lease } from '../ports/lease.js';
import { adminContract } from './admin-contract.js';
import { actorDataContract } from './actor-data-contract.js';
import { isItemFailure, unlessFailed, type CommitResult, type EnqueueResult, type InvocationRecord, type JournalEntry, type NewInvocation, type Store, type TurnWrite } from '../ports/store.js';

/** What a store contract factory returns: a store with no data of its own, and how to dispose of it. */
export type StoreFactory = () => Promise<{ store: Store; cleanup?: () => Promise<void> }>;

/**
 * Declares the Store port's contract tests (node:test) for one adapter. Every test
 * gets a fresh store from `factory`, calls `init()`, and closes it and runs
 * `cleanup` afterwards. Each test also works on its own actor type, actor ids and
 * partition, so leftovers of an earlier run on a shared backend cannot satisfy or
 * break an assertion.
 */
export function storeContract(name: string, factory: StoreFactory, opts: { actorData?: boolean } = {}): void {
  adminContract(name, factory);
  actorDataContract(name, factory, opts);
  const test = (title: string, body: (store: Store, s: Scope) => Promise<void>) =>
    it(title, { timeout: 30_000 }, async () => {
      const { store, cleanup } = await factory();
      try {
        await store.init();
        await body(store, scope());
      } finally {
        try {
          await store.close();
        } finally {
          await cleanup?.();
        }
      }
    });

  describe(`Store contract: ${name}`, () => {
    describe('enqueue', () => {
      test('enqueue assigns increasing seq and wakeSeq to new pending, unstarted invocations', async (store, s) => {
        const [a, b] = [s.inv(), s.inv()];
        const first = await store.enqueue([a, b]);
        const second = await store.enqueue([s.inv()]);
        assert.deepEqual([...first, ...second].map((r) => r.duplicate), [false, false, false]);
        const [ra, rb, c] = [rec(first[0]), rec(first[1]), rec(second[0])];
        for (const r of [ra, rb, c]) {
          assert.equal(r.status, 'pending');
          assert.equal(r.attempt, 0);
          assert.equal(r.started, false);
        }
        assert.ok(ra.seq < rb.seq && rb.seq < c.seq, 'seq increases in enqueue order');
        assert.ok(ra.wakeSeq < rb.wakeSeq && rb.wakeSeq < c.wakeSeq, 'wakeSeq increases in enqueue order');
        assert.deepEqual(plain(await store.getInvocation(a.id)), plain(ra));
      });

      test('enqueue stores the invocation as given, with its meta, replyTo and notBefore', async (store, s) => {
        const now = await store.now();
        const item = s.inv({
          method: 'charge',
          argsJson: '[{"amount":5}]',
          idempotencyKey: 'k',
          notBefore: now + 5_000,
          replyTo: `call:${randomUUID()}:c0`,
          meta: { trace: { id: 't1' }, headers: { h: 'v' }, retryPolicy: { maxAttempts: 2 }, timeoutMs: 100 },
        });
        const [r] = await store.enqueue([item]);
        assert.deepEqual(pick(plain(rec(r)), item), plain(item));
        assert.deepEqual(pick(plain(await store.getInvocation(item.id)), item), plain(item));
      });

      test('enqueue of an item with an existing id returns the existing record as a duplicate and inserts nothing', async (store, s) => {
        const a = s.inv({ method: 'first' });
        const [r1] = await store.enqueue([a]);
        const [r2] = await store.enqueue([{ ...a, method: 'second' }]);
        assert.equal(r2?.duplicate, true);
        assert.deepEqual(plain(rec(r2)), plain(rec(r1)));
        assert.equal((await store.getInvocation(a.id))?.method, 'first');
        assert.equal((await store.pollPending([s.partition], 0, 100)).length, 1);
      });

      test('unknown invocation ids read as undefined', async (store) => {
        assert.equal(await store.getInvocation(randomUUID()), undefined);
        assert.deepEqual(await store.loadJournal(randomUUID()), []);
      });

      test('calling init() again keeps the data', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        await store.init();
        assert.equal((await store.getInvocation(a.id))?.id, a.id);
      });
    });

    describe('idempotency keys', () => {
      test('the same actor and idempotency key returns the first record as a duplicate, even once completed', async (store, s) => {
        const a = s.inv({ idempotencyKey: 'order-1' });
        const b = s.inv({ idempotencyKey: 'order-1' });
        const [ra] = await store.enqueue([a]);
        const [rb] = await store.enqueue([b]);
        assert.equal(rb?.duplicate, true);
        assert.equal(rec(rb).id, a.id);
        assert.equal(await store.getInvocation(b.id), undefined);
        const lease = await s.lease(store);
        await s.ok(store, s.turn(lease, a.id, { transition: completed('"paid"', (await store.now()) + 60_000) }));
        const [rc] = await store.enqueue([s.inv({ idempotencyKey: 'order-1' })]);
        assert.equal(rc?.duplicate, true);
        assert.equal(rec(rc).id, rec(ra).id);
        assert.equal(rec(rc).status, 'completed');
        assert.equal(rec(rc).resultJson, '"paid"');
      });

      test('the same idempotency key on another actor is not a duplicate', async (store, s) => {
        const [ra] = await store.enqueue([s.inv({ idempotencyKey: 'k' })]);
        const [rb] = await store.enqueue([s.inv({ actorId: s.id('other'), idempotencyKey: 'k' })]);
        assert.equal(ra?.duplicate, false);
        assert.equal(rb?.duplicate, false);
        assert.notEqual(rec(ra).id, rec(rb).id);
      });

      test('two invocations with one key inside one enqueue batch insert exactly one', async (store, s) => {
        const a = s.inv({ idempotencyKey: 'k' });
        const b = s.inv({ idempotencyKey: 'k' });
        const [ra, rb] = await store.enqueue([a, b]);
        assert.equal(ra?.duplicate, false);
        assert.equal(rb?.duplicate, true);
        assert.equal(rec(rb).id, a.id);
        assert.equal(await store.getInvocation(b.id), undefined);
        assert.equal((await store.pollPending([s.partition], 0, 100)).length, 1);
      });

      test('an expired idempotency key no longer deduplicates', async (store, s) => {
        const a = s.inv({ idempotencyKey: 'k' });
        await store.enqueue([a]);
        const lease = await s.lease(store);
        await s.ok(store, s.turn(lease, a.id, { transition: completed('1', (await store.now()) - 1_000) }));
        const b = s.inv({ idempotencyKey: 'k' });
        const [rb] = await store.enqueue([b]);
        assert.equal(rb?.duplicate, false);
        assert.equal(rec(rb).id, b.id);
        assert.equal(rec(rb).status, 'pending');
      });

      test('50 concurrent enqueues over 10 idempotency keys insert exactly 10', async (store, s) => {
        const items = Array.from({ length: 50 }, (_, i) => s.inv({ idempotencyKey: `key-${i % 10}` }));
        const results = (await Promise.all(items.map((item) => store.enqueue([item])))).map(([r]) => {
          assert.ok(r, 'one result per item');
          return r;
        });
        const inserted = results.filter((r) => !r.duplicate);
        assert.equal(inserted.length, 10);
        assert.equal(new Set(inserted.map((r) => r.record.idempotencyKey)).size, 10);
        const winner = new Map(inserted.map((r) => [r.record.idempotencyKey, r.record.id]));
        for (const r of results) assert.equal(r.record.id, winner.get(r.record.idempotencyKey));
        assert.equal((await store.pollPending([s.partition], 0, 100)).length, 10);
      });
    });

    describe('pollPending', () => {
      test('pollPending returns only pending invocations of the given partitions after a wakeSeq, in wakeSeq order, up to limit', async (store, s) => {
        const other = s.partition + 1;
        const [a, b, c, d] = [s.inv(), s.inv(), s.inv({ partition: other }), s.inv()];
        const [ra] = (await store.enqueue([a, b, c, d])).map(rec);
        const done = s.inv();
        await store.enqueue([done]);
        const lease = await s.lease(store);
        await s.ok(store, s.turn(lease, done.id, { transition: completed('1', (await store.now()) + 60_000) }));
        assert.deepEqual(ids(await store.pollPending([s.partition], 0, 100)), [a.id, b.id, d.id]);
        assert.deepEqual(ids(await store.pollPending([s.partition], ra?.wakeSeq ?? 0, 100)), [b.id, d.id]);
        assert.deepEqual(ids(await store.pollPending([s.partition], 0, 2)), [a.id, b.id]);
        assert.deepEqual(ids(await store.pollPending([s.partition, other], 0, 100)), [a.id, b.id, c.id, d.id]);
        assert.deepEqual(ids(await store.pollPending([other + 1], 0, 100)), []);
      });
    });

    describe('commit fencing', () => {
      test('a commit with the current lease epoch is ok', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        assert.deepEqual(await store.commit([s.turn(lease, a.id, { journal: [entry(0)] })]), [{ outcome: 'ok', enqueued: [] }]);
      });

      test('a commit with another epoch is fenced and applies nothing of its turn', async (store, s) => {
        const lease = await s.lease(store);
        const probe = await loadedTurn(store, s, lease);
        const [r] = await store.commit([{ ...probe.turn, epoch: lease.epoch + 1 }]);
        assert.equal(r?.outcome, 'fenced');
        await probe.assertNothingApplied();
      });

      test('after the lease expired and another owner took it, a commit with the old epoch is fenced', async (store, s) => {
        // Set up under a long lease, so that a slow backend cannot let the short one expire too early.
        const setup = await s.lease(store);
        const probe = await loadedTurn(store, s, setup);
        await store.leases.release(setup);
        const old = await s.lease(store, 50);
        await sleep(150);
        const next = await store.leases.acquire(s.partition, `contract-${randomUUID()}`, 60_000);
        assert.ok(next, 'another owner acquires the expired lease');
        assert.ok(next.epoch > old.epoch);
        const [r] = await store.commit([{ ...probe.turn, epoch: old.epoch }]);
        assert.equal(r?.outcome, 'fenced');
        await probe.assertNothingApplied();
        const [r2] = await store.commit([{ ...probe.turn, epoch: next.epoch }]);
        assert.equal(r2?.outcome, 'ok', 'the new owner commits the same turn');
      });

      test('one turn rejected in a batch does not affect the others, and results keep input order', async (store, s) => {
        const [a, b, c] = [s.inv(), s.inv(), s.inv()];
        await store.enqueue([a, b, c]);
        const lease = await s.lease(store);
        const results = await store.commit([
          s.turn(lease, a.id, { journal: [entry(0)] }),
          s.turn(lease, b.id, { journal: [entry(0)], epoch: lease.epoch + 1 }),
          s.turn(lease, c.id, { state: s.state('x', 5) }),
        ]);
        assert.deepEqual(results.map((r) => r.outcome), ['ok', 'fenced', 'conflict']);
        assert.equal((await store.loadJournal(a.id)).length, 1);
        assert.equal((await store.loadJournal(b.id)).length, 0);
      });
    });

    describe('write (enqueues and turns in one round trip)', () => {
      /** Every item of these writes can be stored: none may fail. */
      const write = async (store: Store, enqueues: NewInvocation[], turns: TurnWrite[]) => {
        if (!store.write) assert.fail('this store has no write(); the core then makes two round trips per batch');
        const out = await store.write(enqueues, turns);
        return { enqueued: unlessFailed(out.enqueued), committed: unlessFailed(out.committed) };
      };

      test('a turn may complete an invocation enqueued by the same write', async (store, s) => {
        const lease = await s.lease(store);
        const a = s.inv();
        const now = await store.now();
        const out = await write(store, [a], [s.turn(lease, a.id, { state: s.state('{"n":1}', 0), transition: completed('"done"', now + 60_000) })]);
        assert.deepEqual(out.enqueued.map((e) => e.duplicate), [false]);
        assert.equal(rec(out.enqueued[0]).status, 'pending', 'the enqueue result is the record as enqueued');
        assert.deepEqual(out.committed, [{ outcome: 'ok', enqueued: [] }]);
        const stored = await store.getInvocation(a.id);
        assert.equal(stored?.status, 'completed');
        assert.equal(stored?.resultJson, '"done"');
        assert.equal((await store.loadState(s.actorType, s.actorId))?.version, 1);
        assert.deepEqual(ids(await store.pollPending([s.partition], 0, 100)), []);
      });

      test('items stay independent, and results keep input order', async (store, s) => {
        const lease = await s.lease(store);
        const [a, b, c] = [s.inv(), s.inv(), s.inv({ idempotencyKey: 'same' })];
        await store.enqueue([c]);
        const out = await write(store, [a, b, { ...c, id: randomUUID() }], [
          s.turn(lease, a.id, { journal: [entry(0)], epoch: lease.epoch + 1 }),
          s.turn(lease, b.id, { journal: [entry(0)] }),
          s.turn(lease, randomUUID(), { journal: [entry(0)] }),
        ]);
        assert.deepEqual(out.enqueued.map((e) => e.duplicate), [false, false, true]);
        assert.equal(rec(out.enqueued[2]).id, c.id, 'a duplicate key returns the holder');
        assert.deepEqual(out.committed.map((r) => r.outcome), ['fenced', 'ok', 'conflict']);
        assert.equal((await store.getInvocation(a.id))?.status, 'pending', 'a fenced turn does not undo its enqueue');
        assert.equal((await store.loadJournal(a.id)).length, 0);
        assert.equal((await store.loadJournal(b.id)).length, 1);
      });

      test('an item the store cannot keep fails alone, with its own error, and the rest of the write is applied', async (store, s) => {
        if (!store.write) assert.fail('this store has no write(); the core then makes two round trips per batch');
        const lease = await s.lease(store);
        const a = s.inv();
        await store.enqueue([a]);
        const [before, after] = [s.inv(), s.inv()];
        // A bigint is not JSON: a store that serializes what it keeps must refuse it (one that keeps values as given may store it).
        const bad = s.inv({ meta: { trace: { span: 10n } } as never });
        const out = await store.write([before, bad, after], [s.turn(lease, a.id, { journal: [entry(0)] })]);
        const [first, refused, last] = out.enqueued;
        assert.ok(first && !isItemFailure(first) && !first.duplicate, 'the item before it is stored');
        assert.ok(last && !isItemFailure(last) && !last.duplicate, 'the item after it is stored');
        assert.deepEqual(out.committed, [{ outcome: 'ok', enqueued: [] }], 'the turn of the same write is applied');
        if (refused && isItemFailure(refused)) {
          const code = (refused.failed as { code?: unknown }).code;
          assert.ok(code !== 'LOOM_STORE' && code !== 'LOOM_OUTCOME_UNKNOWN', `its own error, not a store failure: ${refused.failed.message}`);
          assert.equal(await store.getInvocation(bad.id), undefined, 'nothing of it was stored');
        }
        assert.deepEqual(ids(await store.pollPending([s.partition], 0, 100)).filter((id) => id !== bad.id).sort(), [a.id, before.id, after.id].sort());
        assert.equal((await store.loadJournal(a.id)).length, 1);
      });

      test('a write of nothing, or of one kind only, works', async (store, s) => {
        assert.deepEqual(await write(store, [], []), { enqueued: [], committed: [] });
        const a = s.inv();
        const only = await write(store, [a], []);
        assert.equal(only.enqueued.length, 1);
        const lease = await s.lease(store);
        assert.deepEqual((await write(store, [], [s.turn(lease, a.id, { journal: [entry(0)] })])).committed, [{ outcome: 'ok', enqueued: [] }]);
      });
    });

    describe('state', () => {
      test('a state write creates version 1 from expectedVersion 0 and each later write adds one', async (store, s) => {
        assert.equal(await store.loadState(s.actorType, s.actorId), undefined);
        const [a, b] = [s.inv(), s.inv()];
        await store.enqueue([a, b]);
        const lease = await s.lease(store);
        await s.ok(store, s.turn(lease, a.id, { state: s.state('{"n":1}', 0) }));
        assert.deepEqual(plain(await store.loadState(s.actorType, s.actorId)), { actorType: s.actorType, actorId: s.actorId, stateJson: '{"n":1}', version: 1 });
        await s.ok(store, s.turn(lease, b.id, { state: s.state('{"n":2}', 1) }));
        assert.deepEqual(plain(await store.loadState(s.actorType, s.actorId)), { actorType: s.actorType, actorId: s.actorId, stateJson: '{"n":2}', version: 2 });
      });

      test('a state write expecting another version is a conflict and applies nothing of its turn', async (store, s) => {
        const lease = await s.lease(store);
        const probe = await loadedTurn(store, s, lease);
        const [r] = await store.commit([{ ...probe.turn, state: s.state('{"stale":true}', 0) }]);
        assert.equal(r?.outcome, 'conflict');
        await probe.assertNothingApplied();
      });

      test('a commit on a completed invocation is a conflict', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        await s.ok(store, s.turn(lease, a.id, { transition: completed('"first"', (await store.now()) + 60_000) }));
        const [r1] = await store.commit([s.turn(lease, a.id, { journal: [entry(0)] })]);
        const [r2] = await store.commit([s.turn(lease, a.id, { transition: completed('"second"', (await store.now()) + 60_000) })]);
        assert.equal(r1?.outcome, 'conflict');
        assert.equal(r2?.outcome, 'conflict');
        assert.equal((await store.getInvocation(a.id))?.resultJson, '"first"');
      });
    });

    describe('journal and transitions', () => {
      test('a journal-only turn writes entries read back in seq order, replaces a seq written again, and marks the invocation started', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        const failedStep: JournalEntry = { seq: 2, kind: 'step', name: 'c', status: 'done', error: { name: 'Error', message: 'boom', code: 'E_X' } };
        await s.ok(store, s.turn(lease, a.id, { journal: [failedStep, entry(0), { seq: 1, kind: 'call', name: 'b', status: 'pending' }] }));
        assert.deepEqual(plain(await store.loadJournal(a.id)), plain([entry(0), { seq: 1, kind: 'call', name: 'b', status: 'pending' }, failedStep]));
        const inv = await store.getInvocation(a.id);
        assert.equal(inv?.started, true);
        assert.equal(inv?.status, 'pending');
        await s.ok(store, s.turn(lease, a.id, { journal: [{ seq: 1, kind: 'call', name: 'b', status: 'done', valueJson: '42' }] }));
        assert.deepEqual(plain(await store.loadJournal(a.id)), plain([entry(0), { seq: 1, kind: 'call', name: 'b', status: 'done', valueJson: '42' }, failedStep]));
      });

      test('keeps every journal kind, the patch marker of patched(name) among them', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        const kinds: JournalEntry['kind'][] = ['step', 'sleep', 'call', 'send', 'promise', 'now', 'random', 'uuid', 'idempotency', 'patch'];
        const journal = kinds.map((kind, seq): JournalEntry => ({ seq, kind, name: `${kind}-é✓`, status: 'done' }));
        await s.ok(store, s.turn(lease, a.id, { journal }));
        assert.deepEqual(plain(await store.loadJournal(a.id)), plain(journal));
      });

      test('a completed transition stores the result and expiry, leaves pollPending and drops the journal', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        await s.ok(store, s.turn(lease, a.id, { journal: [entry(0)] }));
        const expiresAt = (await store.now()) + 60_000;
        await s.ok(store, s.turn(lease, a.id, { journal: [entry(1)], transition: completed('{"ok":true}', expiresAt) }));
        const inv = await store.getInvocation(a.id);
        assert.equal(inv?.status, 'completed');
        assert.equal(inv?.resultJson, '{"ok":true}');
        assert.equal(inv?.expiresAt, expiresAt);
        assert.deepEqual(await store.pollPending([s.partition], 0, 100), []);
        assert.deepEqual(await store.loadJournal(a.id), []);
      });

      test('a failed transition stores the error, attempt and expiry, and leaves pollPending', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        const expiresAt = (await store.now()) + 60_000;
        const error = { name: 'TerminalError', message: 'card declined', terminal: true };
        await s.ok(store, s.turn(lease, a.id, { journal: [entry(0)], transition: { status: 'failed', error, attempt: 1, expiresAt } }));
        const inv = await store.getInvocation(a.id);
        assert.equal(inv?.status, 'failed');
        assert.deepEqual(plain(inv?.error), error);
        assert.equal(inv?.attempt, 1);
        assert.equal(inv?.expiresAt, expiresAt);
        assert.deepEqual(await store.pollPending([s.partition], 0, 100), []);
        assert.deepEqual(await store.loadJournal(a.id), []);
      });

      test('a pending transition stores notBefore, waitingOn, attempt and error, and a later one clears them', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        const notBefore = (await store.now()) + 5_000;
        const error = { name: 'Error', message: 'timeout' };
        await s.ok(store, s.turn(lease, a.id, { transition: { status: 'pending', attempt: 2, notBefore, waitingOn: `promise:${a.id}#approval`, error } }));
        const inv = await store.getInvocation(a.id);
        assert.equal(inv?.status, 'pending');
        assert.equal(inv?.started, true);
        assert.equal(inv?.attempt, 2);
        assert.equal(inv?.notBefore, notBefore);
        assert.equal(inv?.waitingOn, `promise:${a.id}#approval`);
        assert.deepEqual(plain(inv?.error), error);
        await s.ok(store, s.turn(lease, a.id, { transition: { status: 'pending', attempt: 3 } }));
        const later = await store.getInvocation(a.id);
        assert.equal(later?.attempt, 3);
        assert.equal(later?.notBefore, undefined);
        assert.equal(later?.waitingOn, undefined);
      });
    });

    describe('dead letters', () => {
      test('a dead transition keeps the journal and is listed newest first, filtered by actor type and limited', async (store, s) => {
        const [a, b, c] = [s.inv(), s.inv(), s.inv({ actorType: s.otherType })];
        await store.enqueue([a, b, c]);
        const lease = await s.lease(store);
        for (const inv of [a, c, b]) {
          await s.ok(store, s.turn(lease, inv.id, { journal: [entry(0)], transition: dead((await store.now()) + 60_000) }));
          await sleep(5);
        }
        const inv = await store.getInvocation(a.id);
        assert.equal(inv?.status, 'dead');
        assert.equal(inv?.attempt, 3);
        assert.deepEqual(plain(inv?.error), { name: 'Error', message: 'poison' });
        assert.equal((await store.loadJournal(a.id)).length, 1);
        assert.deepEqual(await store.pollPending([s.partition], 0, 100), []);
        assert.deepEqual(ids(await store.listDeadLetters({ limit: 10, actorType: s.actorType })), [b.id, a.id]);
        assert.deepEqual(ids(await store.listDeadLetters({ limit: 1, actorType: s.actorType })), [b.id]);
        assert.deepEqual(ids(await store.listDeadLetters({ limit: 10, actorType: s.otherType })), [c.id]);
      });

      test('redrive puts a dead invocation back to pending with attempt 0, a greater wakeSeq and its journal', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        await s.ok(store, s.turn(lease, a.id, { journal: [entry(0)], transition: dead((await store.now()) + 60_000) }));
        const before = await store.getInvocation(a.id);
        const r = await store.redrive(a.id);
        assert.equal(r?.status, 'pending');
        assert.equal(r?.attempt, 0);
        assert.ok((r?.wakeSeq ?? 0) > (before?.wakeSeq ?? Infinity));
        assert.deepEqual(plain(await store.getInvocation(a.id)), plain(r));
        assert.equal((await store.loadJournal(a.id)).length, 1);
        assert.deepEqual(ids(await store.pollPending([s.partition], before?.wakeSeq ?? 0, 100)), [a.id]);
        assert.deepEqual(await store.listDeadLetters({ limit: 10, actorType: s.actorType }), []);
      });

      test('redrive returns undefined for an unknown, pending or completed invocation', async (store, s) => {
        const [a, b] = [s.inv(), s.inv()];
        await store.enqueue([a, b]);
        const lease = await s.lease(store);
        await s.ok(store, s.turn(lease, b.id, { transition: completed('1', (await store.now()) + 60_000) }));
        assert.equal(await store.redrive(randomUUID()), undefined);
        assert.equal(await store.redrive(a.id), undefined);
        assert.equal(await store.redrive(b.id), undefined);
        assert.equal((await store.getInvocation(b.id))?.status, 'completed');
      });
    });

    describe('outbox', () => {
      test('outbox messages are enqueued when the turn commits, reported in outbox order', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        const [m1, m2] = [s.inv({ actorId: s.id('to'), method: 'ship' }), s.inv({ actorId: s.id('to'), notBefore: (await store.now()) + 1_000 })];
        const r = await s.ok(store, s.turn(lease, a.id, { outbox: [m1, m2], transition: completed('1', (await store.now()) + 60_000) }));
        assert.deepEqual(r.enqueued.map((e) => [e.record.id, e.duplicate, e.record.status]), [[m1.id, false, 'pending'], [m2.id, false, 'pending']]);
        assert.ok(rec(r.enqueued[0]).wakeSeq < rec(r.enqueued[1]).wakeSeq);
        assert.equal((await store.getInvocation(m1.id))?.method, 'ship');
        assert.equal((await store.getInvocation(m2.id))?.notBefore, m2.notBefore);
      });

      test('outbox messages with an existing id or idempotency key are duplicates', async (store, s) => {
        const [a, x, y] = [s.inv(), s.inv({ actorId: s.id('to') }), s.inv({ actorId: s.id('to'), idempotencyKey: 'k' })];
        await store.enqueue([a, x, y]);
        const lease = await s.lease(store);
        const fresh = s.inv({ actorId: s.id('to') });
        const r = await s.ok(store, s.turn(lease, a.id, { outbox: [{ ...x }, s.inv({ actorId: y.actorId, idempotencyKey: 'k' }), fresh] }));
        assert.deepEqual(r.enqueued.map((e) => [e.record.id, e.duplicate]), [[x.id, true], [y.id, true], [fresh.id, false]]);
      });
    });

    describe('durable promises', () => {
      test('the first resolution of a promise wins', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const id = `promise:${a.id}#approval`;
        assert.equal(await store.getPromise(id), undefined);
        assert.equal(await store.resolvePromise({ id, valueJson: '"yes"' }), true);
        assert.equal(await store.resolvePromise({ id, valueJson: '"no"' }), false);
        assert.deepEqual(plain(await store.getPromise(id)), { id, valueJson: '"yes"' });
        const rejected = `promise:${a.id}#other`;
        assert.equal(await store.resolvePromise({ id: rejected, error: { name: 'Error', message: 'denied' } }), true);
        assert.deepEqual(plain(await store.getPromise(rejected)), { id: rejected, error: { name: 'Error', message: 'denied' } });
      });

      test('resolving the promise an invocation waits on clears waitingOn and bumps its wakeSeq', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        const id = `promise:${a.id}#approval`;
        await s.ok(store, s.turn(lease, a.id, { transition: { status: 'pending', attempt: 0, waitingOn: id } }));
        const asleep = await store.getInvocation(a.id);
        assert.equal(asleep?.waitingOn, id);
        assert.equal(await store.resolvePromise({ id, valueJson: '1' }), true);
        const awake = await store.getInvocation(a.id);
        assert.equal(awake?.waitingOn, undefined);
        assert.ok((awake?.wakeSeq ?? 0) > (asleep?.wakeSeq ?? Infinity));
        assert.deepEqual(ids(await store.pollPending([s.partition], asleep?.wakeSeq ?? 0, 100)), [a.id]);
      });

      test('waiting on an already resolved promise leaves the invocation awake', async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        const id = `call:${a.id}:c0`;
        assert.equal(await store.resolvePromise({ id, valueJson: '"reply"' }), true);
        await s.ok(store, s.turn(lease, a.id, { transition: { status: 'pending', attempt: 0, waitingOn: id } }));
        assert.equal((await store.getInvocation(a.id))?.waitingOn, undefined);
      });

      test("a turn's resolve list resolves promises and wakes their waiters atomically with the turn", async (store, s) => {
        const [caller, callee, other] = [s.inv(), s.inv({ actorId: s.id('callee') }), s.inv({ actorId: s.id('other') })];
        await store.enqueue([caller, callee, other]);
        const lease = await s.lease(store);
        const reply = `call:${caller.id}:c0`;
        await s.ok(store, s.turn(lease, caller.id, { transition: { status: 'pending', attempt: 0, waitingOn: reply } }));
        const fenced = await store.commit([s.turn(lease, callee.id, { resolve: [{ id: reply, valueJson: '"x"' }], epoch: lease.epoch + 1 })]);
        assert.equal(fenced[0]?.outcome, 'fenced');
        assert.equal(await store.getPromise(reply), undefined);
        const conflict = await store.commit([s.turn(lease, callee.id, { resolve: [{ id: reply, valueJson: '"x"' }], state: s.state('{}', 9) })]);
        assert.equal(conflict[0]?.outcome, 'conflict');
        assert.equal(await store.getPromise(reply), undefined);
        await s.ok(store, s.turn(lease, callee.id, { resolve: [{ id: reply, valueJson: '"done"' }], transition: completed('"done"', (await store.now()) + 60_000) }));
        assert.deepEqual(plain(await store.getPromise(reply)), { id: reply, valueJson: '"done"' });
        assert.equal((await store.getInvocation(caller.id))?.waitingOn, undefined);
      });

      test("an invocation's promises are deleted when it completes, and other invocations' promises stay", async (store, s) => {
        const [a, b] = [s.inv(), s.inv({ actorId: s.id('b') })];
        await store.enqueue([a, b]);
        const owned = [`call:${a.id}:c0`, `call:${a.id}:c12`, `promise:${a.id}#approval`];
        const kept = `promise:${b.id}#approval`;
        for (const id of [...owned, kept]) assert.equal(await store.resolvePromise({ id, valueJson: '1' }), true);
        const lease = await s.lease(store);
        await s.ok(store, s.turn(lease, a.id, { transition: completed('1', (await store.now()) + 60_000) }));
        for (const id of owned) assert.equal(await store.getPromise(id), undefined, id);
        assert.deepEqual(plain(await store.getPromise(kept)), { id: kept, valueJson: '1' });
      });
    });

    describe('actor idempotency records', () => {
      test("a turn's idempotency records are readable until they expire", async (store, s) => {
        const a = s.inv();
        await store.enqueue([a]);
        const lease = await s.lease(store);
        const now = await store.now();
        const idempotency = [
          { actorType: s.actorType, actorId: s.actorId, key: 'live', resultJson: '{"r":1}', expiresAt: now + 60_000 },
          { actorType: s.actorType, actorId: s.actorId, key: 'gone', resultJson: '2', expiresAt: now - 1_000 },
        ];
        await s.ok(store, s.turn(lease, a.id, { idempotency }));
        assert.deepEqual(await store.getActorIdempotency(s.actorType, s.actorId, 'live', now), { result: { r: 1 } });
        assert.equal(await store.getActorIdempotency(s.actorType, s.actorId, 'live', now + 60_000), undefined);
        assert.equal(await store.getActorIdempotency(s.actorType, s.actorId, 'gone', now), undefined);
        assert.equal(await store.getActorIdempotency(s.actorType, s.id('other'), 'live', now), undefined);
      });
    });

    describe('sweep', () => {
      test('sweep deletes expired terminal invocations and idempotency records, freeing their keys, and leaves the rest', async (store, s) => {
        const [done, kept, pending] = [s.inv({ idempotencyKey: 'k' }), s.inv(), s.inv()];
        await store.enqueue([done, kept, pending]);
        const lease = await s.lease(store);
        const now = await store.now();
        await s.ok(store, s.turn(lease, done.id, {
          transition: completed('1', now + 1_000),
          idempotency: [{ actorType: s.actorType, actorId: s.actorId, key: 'ik', resultJson: '1', expiresAt: now + 1_000 }],
        }));
        await s.ok(store, s.turn(lease, kept.id, { transition: completed('1', now + 600_000) }));
        assert.ok((await store.sweep(now + 1_000)) >= 2);
        assert.equal(await store.getInvocation(done.id), undefined);
        assert.equal(await store.getActorIdempotency(s.actorType, s.actorId, 'ik', now), undefined, 'the record is deleted, not just expired');
        assert.equal((await store.getInvocation(kept.id))?.status, 'completed');
        assert.equal((await store.getInvocation(pending.id))?.status, 'pending');
        const [again] = await store.enqueue([s.inv({ idempotencyKey: 'k' })]);
        assert.equal(again?.duplicate, false);
      });
    });

    describe('inspection', () => {
      test('listActors lists states ordered by type then id, filtered by actor type and limited', async (store, s) => {
        const lease = await s.lease(store);
        const [typeA, typeB] = [`${s.actorType}a`, `${s.actorType}b`];
        for (const [actorType, actorId] of [[typeB, 'x1'], [typeA, 'x2'], [typeA, 'x1'], [typeB, 'x2']] as const) {
          const inv = s.inv({ actorType, actorId });
          await store.enqueue([inv]);
          await s.ok(store, s.turn(lease, inv.id, { state: { actorType, actorId, stateJson: `"${actorType}/${actorId}"`, expectedVersion: 0 } }));
        }
        const mine = (await store.listActors({ limit: 10_000 })).filter((a) => a.actorType === typeA || a.actorType === typeB);
        assert.deepEqual(mine.map((a) => `${a.actorType}/${a.actorId}`), [`${typeA}/x1`, `${typeA}/x2`, `${typeB}/x1`, `${typeB}/x2`]);
        assert.deepEqual(plain(await store.listActors({ limit: 10, actorType: typeB })), [
          { actorType: typeB, actorId: 'x1', stateJson: `"${typeB}/x1"`, version: 1 },
          { actorType: typeB, actorId: 'x2', stateJson: `"${typeB}/x2"`, version: 1 },
        ]);
        assert.deepEqual((await store.listActors({ limit: 1, actorType: typeA })).map((a) => a.actorId), ['x1']);
      });

      test("now() returns the store's clock, close to Date.now()", async (store) => {
        const now = await store.now();
        assert.equal(typeof now, 'number');
        assert.ok(Math.abs(now - Date.now()) < 5_000, `store clock ${now} vs local ${Date.now()}`);
      });

      test('capabilities declare durable and shared as booleans', async (store) => {
        assert.equal(typeof store.capabilities.durable, 'boolean');
        assert.equal(typeof store.capabilities.shared, 'boolean');
      });
    });
  });
}

/** One test's private namespace: actor type, actor id, partition, and builders bound to them. */
interface Scope {
  actorType: string;
  otherType: string;
  actorId: string;
  partition: number;
  id(suffix: string): string;
  inv(over?: Partial<NewInvocation>): NewInvocation;
  state(stateJson: string, expectedVersion: number): NonNullable<TurnWrite['state']>;
  lease(store: Store, ttlMs?: number): Promise<Lease>;
  turn(lease: Lease, invocationId: string, extra?: Partial<TurnWrite>): TurnWrite;
  ok(store: Store, turn: TurnWrite): Promise<Extract<CommitResult, { outcome: 'ok' }>>;
}

function scope(): Scope {
  const tag = randomUUID().slice(0, 8);
  const s: Scope = {
    actorType: `Contract${tag}`,
    otherType: `Other${tag}`,
    actorId: `actor-${tag}`,
    // Wide range, so that a leftover live lease on a shared backend is unlikely to collide.
    partition: 1 + Math.floor(Math.random() * 1_000_000),
    id: (suffix) => `${s.actorId}-${suffix}`,
    inv: (over) => ({ id: randomUUID(), actorType: s.actorType, actorId: s.actorId, method: 'run', argsJson: '[]', partition: s.partition, ttlMs: 60_000, ...over }),
    state: (stateJson, expectedVersion) => ({ actorType: s.actorType, actorId: s.actorId, stateJson, expectedVersion }),
    async lease(store, ttlMs = 60_000) {
      const lease = await store.leases.acquire(s.partition, `contract-${randomUUID()}`, ttlMs);
      assert.ok(lease, `acquire partition ${s.partition}`);
      return lease;
    },
    turn: (lease, invocationId, extra) => ({ partition: lease.partition, epoch: lease.epoch, invocationId, ...extra }),
    async ok(store, turn) {
      const [r] = await store.commit([turn]);
      if (r?.outcome !== 'ok') assert.fail(`commit of ${turn.invocationId} returned ${r?.outcome}, expected ok`);
      return r;
    },
  };
  return s;
}

/**
 * A pending invocation with committed state (version 1), a journal entry, and a
 * turn that would write every kind of thing; `assertNothingApplied` checks that a
 * rejected commit of that turn left all of it untouched.
 */
async function loadedTurn(store: Store, s: Scope, lease: Lease): Promise<{ turn: TurnWrite; assertNothingApplied(): Promise<void> }> {
  const a = s.inv();
  await store.enqueue([a]);
  await s.ok(store, s.turn(lease, a.id, { journal: [entry(0)], state: s.state('"v1"', 0) }));
  const before = await store.getInvocation(a.id);
  const message = s.inv({ actorId: s.id('to') });
  const promiseId = `promise:${randomUUID()}#p`;
  const now = await store.now();
  const turn = s.turn(lease, a.id, {
    journal: [{ ...entry(0), valueJson: '"changed"' }, entry(1)],
    state: s.state('"v2"', 1),
    transition: completed('"done"', now + 60_000),
    idempotency: [{ actorType: s.actorType, actorId: s.actorId, key: 'k', resultJson: '1', expiresAt: now + 60_000 }],
    outbox: [message],
    resolve: [{ id: promiseId, valueJson: '1' }],
  });
  return {
    turn,
    async assertNothingApplied() {
      assert.deepEqual(plain(await store.loadJournal(a.id)), plain([entry(0)]), 'journal unchanged');
      assert.deepEqual(plain(await store.loadState(s.actorType, s.actorId)), { actorType: s.actorType, actorId: s.actorId, stateJson: '"v1"', version: 1 }, 'state unchanged');
      assert.deepEqual(plain(await store.getInvocation(a.id)), plain(before), 'invocation unchanged');
      assert.equal(await store.getInvocation(message.id), undefined, 'outbox not enqueued');
      assert.equal(await store.getPromise(promiseId), undefined, 'promise not resolved');
      assert.equal(await store.getActorIdempotency(s.actorType, s.actorId, 'k', now), undefined, 'idempotency not stored');
    },
  };
}

const entry = (seq: number): JournalEntry => ({ seq, kind: 'step', name: `step-${seq}`, status: 'done', valueJson: `${seq}` });
const completed = (resultJson: string, expiresAt: number) => ({ status: 'completed' as const, resultJson, expiresAt });
const dead = (expiresAt: number) => ({ status: 'dead' as const, error: { name: 'Error', message: 'poison' }, attempt: 3, expiresAt });
const ids = (records: InvocationRecord[]) => records.map((r) => r.id);

function rec(r: EnqueueResult | undefined): InvocationRecord {
  assert.ok(r, 'an enqueue result');
  return r.record;
}

/** Drops undefined-valued keys, so that adapters may omit or leave out optional fields alike. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** The fields of `record` that `shape` has. */
function pick(record: unknown, shape: object): unknown {
  const r = record as Record<string, unknown>;
  return Object.fromEntries(Object.keys(shape).map((k) => [k, r[k]]));
}
