import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lease, LeaseManager } from '../ports/lease.js';

/** What a lease contract factory returns: a lease manager with no leases of its own, and how to dispose of it. */
export type LeaseFactory = () => Promise<{ leases: LeaseManager; cleanup?: () => Promise<void> }>;

/**
 * Declares the LeaseManager port's contract tests (node:test) for one adapter.
 * Every test gets a fresh lease manager from `factory` and runs `cleanup`
 * afterwards. Each test uses its own owners and partition, so leftover leases of
 * an earlier run on a shared backend cannot break an assertion.
 */
export function leaseContract(name: string, factory: LeaseFactory): void {
  const test = (title: string, body: (leases: LeaseManager, p: number) => Promise<void>) =>
    it(title, { timeout: 30_000 }, async () => {
      const { leases, cleanup } = await factory();
      try {
        // Wide range, so that a leftover live lease on a shared backend is unlikely to collide.
        await body(leases, 1 + Math.floor(Math.random() * 1_000_000));
      } finally {
        await cleanup?.();
      }
    });

  describe(`LeaseManager contract: ${name}`, () => {
    test('acquiring a free partition returns a lease with an epoch of at least 1', async (leases, p) => {
      const a = owner('a');
      const before = Date.now();
      const lease = await acquired(leases, p, a, 10_000);
      assert.equal(lease.partition, p);
      assert.equal(lease.owner, a);
      assert.ok(Number.isInteger(lease.epoch) && lease.epoch >= 1, `epoch ${lease.epoch}`);
      // The store's clock may differ a little from ours.
      assert.ok(lease.expiresAt > before + 5_000 && lease.expiresAt < before + 15_000, `expiresAt ${lease.expiresAt}`);
    });

    test('another owner cannot acquire a live lease', async (leases, p) => {
      await acquired(leases, p, owner('a'), 10_000);
      assert.equal(await leases.acquire(p, owner('b'), 10_000), undefined);
    });

    test('the holder re-acquiring keeps or raises its epoch and still excludes others', async (leases, p) => {
      const a = owner('a');
      const first = await acquired(leases, p, a, 10_000);
      const again = await acquired(leases, p, a, 10_000);
      assert.ok(again.epoch >= first.epoch);
      assert.equal(again.owner, a);
      assert.equal(await leases.acquire(p, owner('b'), 10_000), undefined);
    });

    test('after a lease expires another owner acquires it with a greater epoch', async (leases, p) => {
      const first = await acquired(leases, p, owner('a'), 50);
      await sleep(150);
      const second = await acquired(leases, p, owner('b'), 10_000);
      assert.ok(second.epoch > first.epoch, `epoch ${second.epoch} after ${first.epoch}`);
    });

    test('renew extends a held lease', async (leases, p) => {
      const lease = await acquired(leases, p, owner('a'), 1_000);
      const renewed = await leases.renew(lease, 60_000);
      assert.ok(renewed, 'renewed');
      assert.equal(renewed.owner, lease.owner);
      assert.equal(renewed.epoch, lease.epoch);
      assert.ok(renewed.expiresAt > lease.expiresAt + 30_000, `expiresAt ${renewed.expiresAt} after ${lease.expiresAt}`);
      assert.equal(await leases.acquire(p, owner('b'), 1_000), undefined, 'still held past the first ttl');
    });

    test('renew returns undefined once another owner has taken the lease', async (leases, p) => {
      const lost = await acquired(leases, p, owner('a'), 50);
      await sleep(150);
      const taken = await acquired(leases, p, owner('b'), 10_000);
      assert.equal(await leases.renew(lost, 10_000), undefined);
      const holder = (await leases.list()).find((l) => l.partition === p);
      assert.equal(holder?.owner, taken.owner, 'the failed renew did not take the lease back');
    });

    test('release lets another owner acquire at once with a greater epoch', async (leases, p) => {
      const first = await acquired(leases, p, owner('a'), 60_000);
      await leases.release(first);
      const second = await acquired(leases, p, owner('b'), 60_000);
      assert.ok(second.epoch > first.epoch, `epoch ${second.epoch} after ${first.epoch}`);
      assert.equal(await leases.renew(first, 60_000), undefined, 'a released lease cannot be renewed');
    });

    test('releasing a lease that was already lost does not release the new holder', async (leases, p) => {
      const lost = await acquired(leases, p, owner('a'), 50);
      await sleep(150);
      await acquired(leases, p, owner('b'), 60_000);
      await leases.release(lost);
      assert.equal(await leases.acquire(p, owner('c'), 60_000), undefined);
    });

    test('list shows the current holders', async (leases, p) => {
      const q = p + 1;
      const a = await acquired(leases, p, owner('a'), 60_000);
      const b = await acquired(leases, q, owner('b'), 60_000);
      const held = (await leases.list()).filter((l) => l.partition === p || l.partition === q).sort((x, y) => x.partition - y.partition);
      assert.deepEqual(held.map(info), [info(a), info(b)]);
      await leases.release(b);
      const now = Date.now();
      const live = (await leases.list()).filter((l) => l.partition === q && l.owner === b.owner && l.expiresAt > now + 5_000);
      assert.deepEqual(live, [], 'a released lease is no longer listed as held');
    });

    // Membership (rebalancing). Members of other tests may share a backend: assert on our own names only.
    test('heartbeat makes a member live; a repeated heartbeat lists it once', async (leases) => {
      const a = owner('m');
      await leases.heartbeat(a, 10_000);
      await leases.heartbeat(a, 10_000);
      assert.deepEqual((await leases.members()).filter((m) => m === a), [a]);
    });

    test('a member expires after its ttl unless refreshed', async (leases) => {
      const short = owner('short');
      const kept = owner('kept');
      await leases.heartbeat(short, 100);
      await leases.heartbeat(kept, 100);
      await sleep(60);
      await leases.heartbeat(kept, 10_000);
      await sleep(140);
      const live = await leases.members();
      assert.ok(!live.includes(short), `${short} expired`);
      assert.ok(live.includes(kept), `${kept} was refreshed`);
    });

    test('leave removes a member at once and leaves the others', async (leases) => {
      const a = owner('leaving');
      const b = owner('staying');
      await leases.heartbeat(a, 60_000);
      await leases.heartbeat(b, 60_000);
      await leases.leave(a);
      const live = await leases.members();
      assert.ok(!live.includes(a), `${a} left`);
      assert.ok(live.includes(b), `${b} stays`);
      await leases.leave(owner('never-joined'));
    });

    test('members are sorted and without duplicates', async (leases) => {
      const tag = randomUUID();
      const names = ['c', 'a', 'b', 'a'].map((n) => `contract-sort-${tag}-${n}`);
      for (const n of names) await leases.heartbeat(n, 10_000);
      const live = await leases.members();
      assert.deepEqual(live.filter((m) => m.includes(tag)), [...new Set(names)].sort());
      assert.deepEqual(live, [...live].sort(), 'the whole list is sorted');
      assert.equal(new Set(live).size, live.length, 'no duplicates');
    });

    test('membership does not touch leases', async (leases, p) => {
      const a = owner('a');
      const lease = await acquired(leases, p, a, 60_000);
      await leases.heartbeat(a, 60_000);
      await leases.leave(a);
      assert.ok(await leases.renew(lease, 60_000), 'the lease is still held after leave');
    });

    // The factory's store is fresh: no worker has recorded a partition count in it yet.
    test('the partition count is recorded once: of claims made together one wins, and every later claim reads it', async (leases) => {
      const claimed = await Promise.all([16, 32, 16, 48].map((n) => leases.claimPartitionCount(n)));
      const won = claimed[0]!;
      assert.ok([16, 32, 48].includes(won), `recorded ${won}, which nobody claimed`);
      assert.deepEqual(claimed, [won, won, won, won], 'every claim made together reads the same count');
      assert.equal(await leases.claimPartitionCount(won === 64 ? 8 : 64), won, 'a later claim of another count does not change it');
      assert.equal(await leases.claimPartitionCount(won), won);
    });
  });
}

const owner = (name: string) => `contract-${name}-${randomUUID()}`;
const info = (l: Lease) => ({ partition: l.partition, owner: l.owner, epoch: l.epoch });

async function acquired(leases: LeaseManager, partition: number, who: string, ttlMs: number): Promise<Lease> {
  const lease = await leases.acquire(partition, who, ttlMs);
  assert.ok(lease, `${who} acquires partition ${partition}`);
  return lease;
}
