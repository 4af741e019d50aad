import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime } from '../../src/index.js';
import { observe, StoreTraceSink, type Observability, type TraceEvent } from '../../src/observability/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { tempDir } from '../support/runtime.js';
import { until } from './backends.js';
import { parseProm, total } from './prom.js';

class Leaf extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async hit() {
    await this.step('work', () => 1);
    this.state.n++;
  }
}

class Root extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async go() {
    await this.step('before', () => 1);
    this.send('Leaf', 'leaf', 'hit');
    return 'ok';
  }
}

/** Every event the runtime makes, by trace id (beside the store-backed sink). */
class Collect {
  readonly events: TraceEvent[] = [];
  write(events: readonly TraceEvent[]): void {
    // Lease events belong to the worker, not to a message's trace.
    for (const e of events) if (!e.event_type.startsWith('lease:')) this.events.push(e);
  }
}

async function open(ratio: number | undefined) {
  const tmp = tempDir();
  const store = new SqliteStore({ path: tmp.db, synchronous: 'NORMAL' });
  const runtime = new ActorRuntime({ store, partitions: 2, logger: silentLogger, pollIntervalMs: 20 }).register(Root).register(Leaf);
  const sink = new Collect();
  const obs: Observability = observe(runtime, { metrics: true, traceSinks: [new StoreTraceSink(), sink], traceSampleRatio: ratio });
  after(async () => {
    await runtime.stop();
    await obs.close();
    tmp.cleanup();
  });
  await runtime.start();
  return { store, runtime, obs, sink };
}

/** Sends `n` root messages (each sends one to Leaf) and waits for every one of them and their leaf. */
async function chains(ctx: Awaited<ReturnType<typeof open>>, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await ctx.runtime.send({ actorType: 'Root', actorId: `r${i}`, method: 'go', args: [] })).invocationId);
  for (const id of ids) assert.equal(await ctx.runtime.result(id), 'ok');
  await until(async () => (await leafCount(ctx.store)) === n, 30_000, 'every leaf message to run');
  await ctx.obs.flush();
  return ids;
}

/** How many messages the leaf has run. */
async function leafCount(store: SqliteStore): Promise<number> {
  const rec = await store.loadState('Leaf', 'leaf');
  return rec ? (JSON.parse(rec.stateJson) as { n: number }).n : 0;
}

const accepted = async (obs: Observability) => total(parseProm(await obs.metrics!.text()), 'loom_invocations_accepted_total');

describe('head-based trace sampling', () => {
  it('ratio 0 records no trace event while metrics still count every message', { timeout: 60_000 }, async () => {
    const ctx = await open(0);
    await chains(ctx, 10);
    assert.deepEqual(ctx.sink.events, []);
    assert.equal(await accepted(ctx.obs), 20);
  });

  it('ratio 1 (and the default) records every trace, each across its send chain', { timeout: 60_000 }, async () => {
    for (const ratio of [1, undefined]) {
      const ctx = await open(ratio);
      const ids = await chains(ctx, 5);
      for (const id of ids) {
        const own = await ctx.runtime.traces({ invocationId: id });
        assert.ok(own.some((e) => e.event_type === 'actor:invocation_completed'));
        const all = await ctx.runtime.traces({ traceId: own[0]!.trace_id });
        assert.ok(all.some((e) => e.refs.invocation?.id !== id && e.event_type === 'actor:invocation_completed'), 'the leaf joins the root’s trace');
      }
      assert.equal(await accepted(ctx.obs), 10);
    }
  });

  it('ratio 0.5 records about half of the traces, each all or nothing across the send chain', { timeout: 120_000 }, async () => {
    const ctx = await open(0.5);
    const n = 200;
    const ids = await chains(ctx, n);
    const byTrace = new Map<string, TraceEvent[]>();
    for (const e of ctx.sink.events) byTrace.set(e.trace_id, [...(byTrace.get(e.trace_id) ?? []), e]);
    const recordedRoots = new Set(ctx.sink.events.filter((e) => e.refs.message?.queue_name === 'Root' || ids.includes(e.refs.invocation?.id ?? '')).map((e) => e.trace_id));
    // Each recorded trace holds both invocations, whole: accepted, started and completed of the root and the leaf.
    for (const [, events] of byTrace) {
      const invs = new Set(events.map((e) => e.refs.invocation?.id));
      assert.equal(invs.size, 2, 'a recorded trace has the root and the leaf');
      assert.equal(events.filter((e) => e.event_type === 'actor:invocation_completed').length, 2);
      assert.equal(events.filter((e) => e.event_type === 'actor:message_accepted').length, 2);
    }
    assert.equal(byTrace.size, recordedRoots.size);
    // Binomial(200, 0.5): 60..140 is more than 5 standard deviations either side.
    assert.ok(byTrace.size > 60 && byTrace.size < 140, `recorded ${byTrace.size} of ${n} traces`);
    assert.equal(await accepted(ctx.obs), 2 * n);
  });

  it('an incoming traceparent decides: flags 00 records nothing, 01 records', { timeout: 60_000 }, async () => {
    const ctx = await open(1);
    const off = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
    const on = '00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const a = await ctx.runtime.send({ actorType: 'Root', actorId: 'x', method: 'go', args: [], trace: off });
    const b = await ctx.runtime.send({ actorType: 'Root', actorId: 'y', method: 'go', args: [], trace: on });
    assert.equal(await ctx.runtime.result(a.invocationId), 'ok');
    assert.equal(await ctx.runtime.result(b.invocationId), 'ok');
    await until(async () => (await leafCount(ctx.store)) === 2, 30_000, 'both leaf messages to run');
    await ctx.obs.flush();
    const traces = new Set(ctx.sink.events.map((e) => e.trace_id));
    assert.deepEqual([...traces], ['5bf92f3577b34da6a3ce929d0e0e4736']);
    assert.equal(ctx.sink.events.filter((e) => e.event_type === 'actor:invocation_completed').length, 2, 'the sampled root and its leaf');
    assert.equal(await accepted(ctx.obs), 4);
  });

  it('an invalid ratio is a ConfigError naming the option', () => {
    for (const bad of [-0.1, 1.5, Number.NaN, '0.5' as unknown as number]) {
      const runtime = new ActorRuntime({ logger: silentLogger }).register(Root);
      assert.throws(() => observe(runtime, { traceSinks: [new Collect()], traceSampleRatio: bad }), (e: unknown) => e instanceof ConfigError && /traceSampleRatio/.test(e.message));
    }
  });
});
