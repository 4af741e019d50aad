import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduleStore } from '../ports/schedules.js';

/** What a schedules contract factory returns: a schedule store (and whoever owns it) and how to dispose of it. */
export type ScheduleStoreFactory = () => Promise<{ schedules: ScheduleStore; cleanup?: () => Promise<void> }>;

/**
 * Declares the ScheduleStore port's contract tests (node:test). Each test uses
 * schedule ids of its own, so a shared backend's leftovers cannot satisfy them.
 */
export function schedulesContract(name: string, factory: ScheduleStoreFactory): void {
  const test = (title: string, body: (s: ScheduleStore, id: (n?: string) => string) => Promise<void>) =>
    it(title, { timeout: 30_000 }, async () => {
      const { schedules, cleanup } = await factory();
      const tag = randomUUID().slice(0, 8);
      try {
        await body(schedules, (n = 'a') => `t${tag}:${n}`);
      } finally {
        await cleanup?.();
      }
    });

  describe(`ScheduleStore contract: ${name}`, () => {
    test('put creates a schedule with its cursor; get and list return it', async (s, id) => {
      const rec = await s.put(id(), '{"cron":"* * * * *"}', false, { tick: 1000, enqueued: true });
      assert.deepEqual({ ...rec, updatedAt: 0 }, { id: id(), specJson: '{"cron":"* * * * *"}', paused: false, cursor: { tick: 1000, enqueued: true }, updatedAt: 0 });
      assert.deepEqual((await s.get(id()))?.cursor, { tick: 1000, enqueued: true });
      assert.deepEqual((await s.list()).filter((r) => r.id.startsWith(id('').slice(0, 9))).map((r) => r.id), [id()]);
      assert.equal(await s.get(id('missing')), undefined);
    });

    test('put on an existing schedule replaces spec and paused but keeps the cursor', async (s, id) => {
      await s.put(id(), '{"v":1}', false, { tick: 1000, enqueued: true });
      assert.equal(await s.advance(id(), { tick: 1000, enqueued: true }, { tick: 2000, enqueued: false }), true);
      const rec = await s.put(id(), '{"v":2}', true, { tick: 5, enqueued: true });
      assert.equal(rec.specJson, '{"v":2}');
      assert.equal(rec.paused, true);
      assert.deepEqual(rec.cursor, { tick: 2000, enqueued: false });
    });

    test('advance moves the cursor only from the expected value', async (s, id) => {
      await s.put(id(), '{}', false, { tick: 1000, enqueued: true });
      assert.equal(await s.advance(id(), { tick: 999, enqueued: true }, { tick: 2000, enqueued: false }), false);
      assert.equal(await s.advance(id(), { tick: 1000, enqueued: false }, { tick: 2000, enqueued: false }), false);
      assert.equal(await s.advance(id(), { tick: 1000, enqueued: true }, { tick: 2000, enqueued: false }), true);
      assert.equal(await s.advance(id(), { tick: 1000, enqueued: true }, { tick: 3000, enqueued: false }), false);
      assert.equal(await s.advance(id(), { tick: 2000, enqueued: false }, { tick: 2000, enqueued: true }), true);
      assert.deepEqual((await s.get(id()))?.cursor, { tick: 2000, enqueued: true });
      assert.equal(await s.advance(id('missing'), { tick: 0, enqueued: true }, { tick: 1, enqueued: true }), false);
    });

    test('of many concurrent advances from one cursor, exactly one wins', async (s, id) => {
      await s.put(id(), '{}', false, { tick: 1000, enqueued: true });
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => s.advance(id(), { tick: 1000, enqueued: true }, { tick: 2000 + i, enqueued: false })));
      assert.equal(wins.filter(Boolean).length, 1);
    });

    test('list orders by id; delete removes and reports whether it did', async (s, id) => {
      for (const n of ['b', 'a', 'c']) await s.put(id(n), '{}', false, { tick: 1, enqueued: true });
      const mine = (await s.list()).filter((r) => r.id.startsWith(id('')));
      assert.deepEqual(mine.map((r) => r.id), [id('a'), id('b'), id('c')]);
      assert.equal(await s.delete(id('b')), true);
      assert.equal(await s.delete(id('b')), false);
      assert.equal(await s.get(id('b')), undefined);
      assert.deepEqual((await s.list()).filter((r) => r.id.startsWith(id(''))).map((r) => r.id), [id('a'), id('c')]);
    });
  });
}
