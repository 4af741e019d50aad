import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime } from '../../src/index.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { observe } from '../../src/observability/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { testTracing, toLine } from './otel-support.js';

const CONSUMER = 4;
const PRODUCER = 3;

class Payments extends Actor {
  async charge(amount: number) {
    const id = await this.step('charge', () => `ch-${amount}`);
    await this.sleep(30); // suspends: the resume replays the step
    return id;
  }
}

class Orders extends Actor {
  async place(amount: number) {
    await this.step('reserve', () => true);
    return this.call<string>('Payments', 'p1', 'charge', amount);
  }
}

it('OpenTelemetry: a span tree per invocation, PRODUCER to CONSUMER through the envelope, a step span per step run, none for replayed work', { timeout: 20_000 }, async () => {
  const { provider, memory } = testTracing();
  const runtime = new ActorRuntime({ store: new MemoryStore(), logger: silentLogger }).register(Orders).register(Payments);
  observe(runtime, { tracer: provider.getTracer('loom-test') });
  after(() => runtime.stop());
  assert.equal(await runtime.call({ actorType: 'Orders', actorId: 'o1', method: 'place', args: [5], idempotencyKey: 'order-5' }), 'ch-5');
  const spans = memory.getFinishedSpans().map(toLine);
  const names = spans.map((s) => s.name).sort();
  assert.deepEqual(names, [
    'process Orders', // first attempt: reserve, call, suspend
    'process Orders', // resumed when the reply came: replays, no step span
    'process Payments', // charge, then sleep
    'process Payments', // resumed after the sleep: replays charge
    'send Orders',
    'send Payments',
    'step charge',
    'step reserve',
  ]);
  const traceIds = new Set(spans.map((s) => s.traceId));
  assert.equal(traceIds.size, 1, 'one trace');
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const root = spans.find((s) => s.name === 'send Orders')!;
  assert.equal(root.kind, PRODUCER);
  assert.equal(root.parentSpanId, undefined);
  assert.equal(root.attributes['loom.idempotency_key'], 'order-5');
  for (const p of spans.filter((s) => s.name === 'process Orders')) {
    assert.equal(p.kind, CONSUMER);
    assert.equal(p.parentSpanId, root.spanId);
    assert.equal(p.attributes['loom.actor.type'], 'Orders');
    assert.equal(p.attributes['loom.actor.id'], 'o1');
    assert.equal(p.attributes['messaging.system'], 'loom');
    assert.equal(typeof p.attributes['loom.lease.epoch'], 'number');
  }
  const sendPayments = spans.find((s) => s.name === 'send Payments')!;
  assert.equal(byId.get(sendPayments.parentSpanId!)?.name, 'process Orders');
  for (const p of spans.filter((s) => s.name === 'process Payments')) assert.equal(p.parentSpanId, sendPayments.spanId);
  assert.equal(byId.get(spans.find((s) => s.name === 'step charge')!.parentSpanId!)?.name, 'process Payments');
  assert.equal(byId.get(spans.find((s) => s.name === 'step reserve')!.parentSpanId!)?.name, 'process Orders');
  assert.ok(!JSON.stringify(spans).includes('ch-5'), 'no result in any attribute');
});
