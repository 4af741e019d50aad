// Schedules on every store: ticks fire once each, pause/resume/update/delete at run time,
// and a schedule survives a restart.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { createScheduleTrigger } from '../../src/triggers/index.js';
import { forEachStore, type StoreMaker } from '../support/stores.js';
import { Reporter } from './schedule-actors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function started(maker: StoreMaker, ns: string): Promise<ActorRuntime> {
  const rt = new ActorRuntime({ store: maker.make(ns), logger: silentLogger, pollIntervalMs: 20 });
  rt.register(Reporter);
  rt.schedules.configure({ checkIntervalMs: 100 });
  await rt.start();
  return rt;
}

const ticksOf = async (rt: ActorRuntime, id: string): Promise<string[]> => (await rt.getState<{ ticks: string[] }>('Reporter', id))?.ticks ?? [];

/** Asserts the ticks are distinct and `stepMs` apart, in order. */
function assertConsecutive(ticks: string[], stepMs: number): void {
  const ms = ticks.map((t) => Date.parse(t));
  for (let i = 1; i < ms.length; i++) assert.equal(ms[i]! - ms[i - 1]!, stepMs, `ticks ${ticks.join(', ')}`);
}

const makers: StoreMaker[] = [];
await forEachStore('schedules', (m) => void makers.push(m));

// The backends run side by side: each test mostly waits for ticks.
describe('schedules', { concurrency: true }, () => {
  for (const maker of makers) describe(`schedules on ${maker.kind}`, { timeout: 120_000 }, () => {
    after(() => maker.cleanup());

    it('fires each tick once, and pauses, resumes, updates and deletes at run time', async () => {
      const rt = await started(maker, maker.newNamespace());
      try {
        const actorId = `r-${randomUUID().slice(0, 8)}`;
        const trigger = createScheduleTrigger({ id: `every-second-${actorId}`, every: '1s', actorType: 'Reporter', actorId, method: 'run' });
        const info = await rt.schedules.put(trigger);
        assert.equal(info.paused, false);
        assert.ok(info.nextTick && Date.parse(info.nextTick) % 1000 === 0, JSON.stringify(info));
        await until(async () => ((await ticksOf(rt, actorId)).length >= 3 ? true : undefined), '3 ticks');
        assertConsecutive(await ticksOf(rt, actorId), 1000);
        assert.deepEqual((await rt.schedules.list()).map((s) => s.id), [trigger.id]);

        // A check already past its read of the schedules may still fire ticks up to its own "now";
        // ticks due well after the pause (or update, or delete) must follow it.
        const after = async (at: number) => (await ticksOf(rt, actorId)).filter((t) => Date.parse(t) > at + 1500);
        const pausedAt = Date.now();
        await rt.schedules.pause(trigger.id);
        await sleep(3500);
        await rt.drain();
        assert.deepEqual(await after(pausedAt), [], 'no tick while paused');
        assert.equal((await rt.schedules.get(trigger.id))?.paused, true);

        const resumedAt = Date.now();
        const paused = (await ticksOf(rt, actorId)).length;
        await rt.schedules.resume(trigger.id);
        await until(async () => ((await ticksOf(rt, actorId)).length >= paused + 2 ? true : undefined), 'ticks after resume');
        const afterResume = (await ticksOf(rt, actorId)).slice(paused);
        assert.ok(Date.parse(afterResume[0]!) >= resumedAt - 1000, `ticks missed while paused are skipped: ${afterResume.join(', ')} (resumed at ${new Date(resumedAt).toISOString()})`);

        const updatedAt = Date.now();
        await rt.schedules.put(createScheduleTrigger({ id: trigger.id, every: '2s', actorType: 'Reporter', actorId, method: 'run' }));
        await until(async () => ((await after(updatedAt)).length >= 2 ? true : undefined), 'ticks after the update');
        const updated = await after(updatedAt);
        assert.ok(updated.every((t) => Date.parse(t) % 2000 === 0), `every 2s after the update: ${updated.join(', ')}`);

        const deletedAt = Date.now();
        assert.equal(await rt.schedules.delete(trigger.id), true);
        await sleep(3500);
        await rt.drain();
        assert.deepEqual(await after(deletedAt), [], 'no tick after delete');
        assert.deepEqual(await rt.schedules.list(), []);
        const all = await ticksOf(rt, actorId);
        assert.equal(new Set(all).size, all.length, `every tick once: ${all.join(', ')}`);
        await assert.rejects(rt.schedules.pause('nope'), /there is no schedule "nope"/);
      } finally {
        await rt.stop();
      }
    });

    if (maker.kind !== 'memory') {
      it('keeps schedules across a restart', async () => {
        const ns = maker.newNamespace();
        const actorId = `r-${randomUUID().slice(0, 8)}`;
        const a = await started(maker, ns);
        await a.schedules.put({ id: 'kept', every: '1s', actorType: 'Reporter', actorId, method: 'run' });
        await until(async () => ((await ticksOf(a, actorId)).length >= 1 ? true : undefined), 'a tick');
        await a.stop();
        const b = await started(maker, ns);
        try {
          assert.deepEqual((await b.schedules.list()).map((s) => s.id), ['kept']);
          const n = (await ticksOf(b, actorId)).length;
          await until(async () => ((await ticksOf(b, actorId)).length >= n + 2 ? true : undefined), 'ticks after the restart');
          const all = await ticksOf(b, actorId);
          assert.equal(new Set(all).size, all.length, `every tick once: ${all.join(', ')}`);
        } finally {
          await b.stop();
        }
      });
    }
  });
});
