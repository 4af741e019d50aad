import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime } from '../../src/index.js';
import { observe, StoreTraceSink, type TraceEvent } from '../../src/observability/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { traceBackends, until } from './backends.js';

class Refunds extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async request(id: string) {
    const looked = await this.step('lookup', () => `secret-${id}`);
    await this.step('charge', () => 42);
    const ok = await this.promise<boolean>('approval');
    this.state.n++;
    return ok ? looked : 'no';
  }
}

const types = (events: TraceEvent[]) => events.map((e) => e.event_type);

for (const backend of await traceBackends('trace events')) {
  describe(`trace events on ${backend.name}`, () => {
    it('an invocation’s trace reads back with every reference resolvable against the store, and no payload in it', { timeout: 60_000 }, async () => {
      const { store, cleanup } = await backend.open();
      const runtime = new ActorRuntime({ store, partitions: 4, logger: silentLogger, pollIntervalMs: 50 }).register(Refunds);
      const obs = observe(runtime, { traceSinks: [new StoreTraceSink()] });
      after(async () => {
        await runtime.stop();
        await obs.close();
        await cleanup();
      });
      await runtime.start();
      const { invocationId: id } = await runtime.send({ actorType: 'Refunds', actorId: 'r1', method: 'request', args: ['PAYLOAD-xyz'], idempotencyKey: 'refund-1' });
      await until(async () => (await store.getInvocation(id))?.waitingOn !== undefined, 10_000, 'the invocation to suspend');
      const dup = await runtime.send({ actorType: 'Refunds', actorId: 'r1', method: 'request', args: ['PAYLOAD-xyz'], idempotencyKey: 'refund-1' });
      assert.equal(dup.duplicate, true);
      await obs.flush();

      const early = await runtime.traces({ invocationId: id });
      assert.deepEqual(types(early).filter((t) => t !== 'actor:message_deduplicated'), [
        'actor:message_accepted',
        'actor:invocation_started',
        'actor:step_journaled',
        'actor:step_journaled',
        'actor:invocation_suspended',
      ]);
      // Journal positions resolve while the invocation can still replay (its journal is dropped on completion).
      const journal = await store.loadJournal(id);
      for (const e of early.filter((x) => x.event_type === 'actor:step_journaled')) {
        const entry = journal.find((j) => j.seq === e.refs.journal!.position);
        assert.ok(entry, `journal position ${e.refs.journal!.position} is in the store`);
        assert.equal(entry.name, e.refs.journal!.name);
      }
      const started = early.find((e) => e.event_type === 'actor:invocation_started')!;
      const leases = await store.leases.list();
      const lease = leases.find((l) => l.partition === started.refs.lease!.partition);
      assert.equal(lease?.epoch, started.refs.lease!.epoch, 'the lease reference names the partition and epoch the store issued');
      const dedup = early.find((e) => e.event_type === 'actor:message_deduplicated')!;
      assert.deepEqual(dedup.refs.idempotency, { key: 'refund-1', original_execution: id });
      assert.equal((await store.getInvocation(dedup.refs.idempotency!.original_execution!))?.id, id);
      assert.equal(dedup.refs.message!.queue_name, 'Refunds');

      await runtime.resolvePromise(`promise:${id}#approval`, true);
      assert.equal(await runtime.result(id), 'secret-PAYLOAD-xyz');
      await obs.flush();
      const traceId = started.trace_id;
      const all = await runtime.traces({ traceId });
      const mine = all.filter((e) => e.refs.invocation?.id === id);
      assert.deepEqual(types(mine).slice(-2), ['actor:invocation_resumed', 'actor:invocation_completed']);
      assert.equal(mine.filter((e) => e.event_type === 'actor:step_journaled').length, 2, 'the replayed steps emitted nothing on resume');
      assert.ok(all.every((e) => e.trace_id === traceId));
      const completed = mine.at(-1)!;
      const st = await store.loadState('Refunds', 'r1');
      assert.deepEqual(completed.refs.state, { actor_type: 'Refunds', actor_id: 'r1', version: st!.version });
      assert.equal((await store.getInvocation(completed.refs.invocation!.id))?.status, 'completed');
      const text = JSON.stringify(all);
      assert.ok(!text.includes('PAYLOAD-xyz') && !text.includes('secret-'), 'no argument or result is copied into an event');
      for (const e of all) assert.ok(!Number.isNaN(Date.parse(e.at)));
      // A root carries no trace context: its trace id is its invocation id's digits.
      assert.equal((await store.getInvocation(id))?.meta?.trace, undefined, 'nothing is stored for a root’s trace');
      assert.equal(traceId, id.replaceAll('-', ''));
    });

    it('keeps events within the TTL and the cap', { timeout: 30_000 }, async () => {
      const { store, cleanup } = await backend.open();
      after(async () => {
        await store.close();
        await cleanup();
      });
      await store.init();
      const ev = (trace: string, inv: string): TraceEvent => ({
        trace_id: trace,
        event_type: 'actor:message_accepted',
        at: new Date().toISOString(),
        refs: { invocation: { id: inv, attempt: 0 } },
      });
      const traces = store.traces!;
      for (let i = 0; i < 10; i++) await traces.appendTraces([ev('a'.repeat(32), `i${i}`), ev('a'.repeat(32), `i${i}`)], { ttlMs: 60_000, maxEvents: 6 });
      const kept = await traces.readTraces({ traceId: 'a'.repeat(32) });
      assert.deepEqual([...new Set(kept.map((e) => e.refs.invocation!.id))], ['i7', 'i8', 'i9'], 'the oldest go first past the cap');
      assert.equal((await traces.readTraces({ invocationId: 'i9' })).length, 2);
      assert.equal((await traces.readTraces({ invocationId: 'i0' })).length, 0);
      await traces.appendTraces([ev('b'.repeat(32), 'short')], { ttlMs: 1, maxEvents: 100 });
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await traces.readTraces({ traceId: 'b'.repeat(32) })).length, 0, 'an expired event is not read');
      await assert.rejects(traces.readTraces({}), /exactly one of/);
    });
  });
}
