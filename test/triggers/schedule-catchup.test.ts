// Catch-up policies after a real 10-tick outage, on every store at once: the
// workers stop, eleven ticks pass, a new worker takes over and runs one check
// at a known moment (half a second past a tick, so no tick sits on a boundary).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { forEachStore, type StoreMaker } from '../support/stores.js';
import { Reporter } from './schedule-actors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const S = 1000;
const POLICIES = [
  { id: 'none', catchUp: 'none' as const },
  { id: 'latest', catchUp: 'latest' as const },
  { id: 'all', catchUp: 'all' as const },
  { id: 'all-3', catchUp: 'all' as const, maxCatchUp: 3 },
];

const makers: StoreMaker[] = [];
await forEachStore('schedule catch-up', (m) => void makers.push(m));

async function outage(maker: StoreMaker): Promise<void> {
  const ns = maker.newNamespace();
  const tag = randomUUID().slice(0, 6);
  const open = async (checkIntervalMs: number) => {
    const rt = new ActorRuntime({ store: maker.make(ns), logger: silentLogger, pollIntervalMs: 20 });
    rt.register(Reporter);
    rt.schedules.configure({ checkIntervalMs });
    await rt.start();
    return rt;
  };
  const ticks = async (rt: ActorRuntime, p: string) => ((await rt.getState<{ ticks: string[] }>('Reporter', `${p}-${tag}`))?.ticks ?? []).map((t) => Date.parse(t));

  const a = await open(100);
  for (const p of POLICIES) {
    await a.schedules.put({ id: p.id, every: '1s', lateAfter: S, actorType: 'Reporter', actorId: `${p.id}-${tag}`, method: 'run', catchUp: p.catchUp, ...(p.maxCatchUp ? { maxCatchUp: p.maxCatchUp } : {}) });
  }
  for (let end = Date.now() + 20_000; ; await sleep(50)) {
    const counts = await Promise.all(POLICIES.map(async (p) => (await ticks(a, p.id)).length));
    if (counts.every((c) => c >= 1)) break;
    if (Date.now() > end) throw new Error(`${maker.kind}: no first tick for every schedule: ${counts.join(', ')}`);
  }
  await a.stop();

  const b = await open(3_600_000); // no automatic check: the test runs the one that counts
  try {
    // The cursor is the last tick handed out; a tick enqueued but not yet run when A stopped runs on B, and is not new.
    const lastBefore = new Map<string, number>();
    for (const p of POLICIES) lastBefore.set(p.id, Date.parse((await b.schedules.get(p.id))!.lastTick));
    const l = Math.max(...lastBefore.values());
    // Eleven ticks pass with no worker, then the check runs at N + 0.5 s: N-1 and earlier are late (lateAfter 1 s), N is on time.
    const at = Math.floor(l / S) * S + 11 * S + 500;
    for (;;) {
      if (b.partitions.length === 64 && Date.now() >= at && Date.now() % S >= 450 && Date.now() % S <= 550) break;
      await sleep(5);
    }
    const aimed = Math.floor(Date.now() / S) * S;
    await b.schedules.check();
    await b.drain();
    // One check reads the clock once for every schedule: with lateAfter 1 s exactly one tick, N, is on time, and
    // 'none' fires only it. N is the aimed tick unless the check was slow enough to read the clock in the next second.
    const none = (await ticks(b, 'none')).filter((t) => t > lastBefore.get('none')!);
    assert.equal(none.length, 1, `${maker.kind}: none fires the on-time tick only: ${none.map((t) => new Date(t).toISOString()).join(', ')}`);
    const n = none[0]!;
    assert.ok(n === aimed || n === aimed + S, `${maker.kind}: the on-time tick ${new Date(n).toISOString()} is the one due at the check`);
    const range = (from: number, to: number) => Array.from({ length: (to - from) / S + 1 }, (_, i) => from + i * S);
    for (const p of POLICIES) {
      const all = await ticks(b, p.id);
      assert.equal(new Set(all).size, all.length, `${maker.kind} ${p.id}: every tick once`);
      const fired = all.filter((t) => t > lastBefore.get(p.id)!);
      const missedFrom = lastBefore.get(p.id)! + S;
      assert.ok(n - missedFrom >= 10 * S, `${p.id}: an outage of at least 10 ticks (${(n - missedFrom) / S})`);
      const expected =
        p.id === 'none' ? [n] : p.id === 'latest' ? [n - S, n] : p.id === 'all' ? range(missedFrom, n) : range(n - 3 * S, n);
      assert.deepEqual(fired.map((t) => new Date(t).toISOString()), expected.map((t) => new Date(t).toISOString()), `${maker.kind} ${p.id}`);
    }
  } finally {
    await b.stop();
  }
}

describe('schedule catch-up after a 10-tick outage', { concurrency: true, timeout: 90_000 }, () => {
  after(async () => {
    for (const m of makers) await m.cleanup();
  });
  for (const maker of makers) it(`none, latest, all and bounded all on ${maker.kind}`, { timeout: 60_000 }, () => outage(maker));
});
