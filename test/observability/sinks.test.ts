import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Actor, ActorRuntime } from '../../src/index.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { JsonLinesSink, observe, createHealthServer, type TraceEvent, type TraceSink } from '../../src/observability/index.js';
import type { Logger } from '../../src/core/logger.js';
import { parseProm, total } from './prom.js';

class Echo extends Actor {
  async echo(x: number) {
    await this.step('s', () => x);
    return x;
  }
}

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: () => {}, info: () => {}, warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

it('a trace sink that fails or never answers neither fails nor blocks an invocation: events are dropped, counted, logged once', { timeout: 20_000 }, async () => {
  const log = capture();
  const failing: TraceSink & { name: string; calls: number } = {
    name: 'failing',
    calls: 0,
    write() {
      this.calls++;
      throw new Error('disk full');
    },
  };
  const stuck: TraceSink & { name: string } = { name: 'stuck', write: () => new Promise<void>(() => {}) };
  const runtime = new ActorRuntime({ store: new MemoryStore(), logger: log }).register(Echo);
  const obs = observe(runtime, { metrics: true, traceSinks: [failing, stuck], traceBuffer: { maxQueued: 20, flushIntervalMs: 5 } });
  after(() => runtime.stop());
  for (let i = 0; i < 50; i++) {
    assert.equal(await runtime.call({ actorType: 'Echo', actorId: `e${i % 3}`, method: 'echo', args: [i] }), i);
    if (i % 10 === 0) await new Promise((r) => setTimeout(r, 15));
  }
  await new Promise((r) => setTimeout(r, 30));
  assert.ok(failing.calls >= 2, 'the failing sink was tried again');
  const samples = parseProm(await obs.metrics!.text());
  assert.ok(total(samples, 'loom_trace_events_dropped_total', { sink: 'failing' }) > 0);
  assert.ok(total(samples, 'loom_trace_events_dropped_total', { sink: 'stuck' }) > 0, 'a sink that never answers loses what does not fit its queue');
  assert.equal(log.lines.filter((l) => l.includes('trace sink failing failed')).length, 1, log.lines.join('\n'));
});

it('JsonLinesSink writes one JSON event per line', { timeout: 10_000 }, async () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const runtime = new ActorRuntime({ store: new MemoryStore() }).register(Echo);
  const obs = observe(runtime, { traceSinks: [new JsonLinesSink(stream)] });
  after(() => runtime.stop());
  await runtime.call({ actorType: 'Echo', actorId: 'e', method: 'echo', args: [1], trace: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
  await obs.flush();
  const all = text.trim().split('\n').map((l) => JSON.parse(l) as TraceEvent);
  assert.equal(all.filter((e) => e.event_type === 'lease:acquired').length, 64, 'one lease event per partition taken');
  const events = all.filter((e) => e.event_type.startsWith('actor:'));
  assert.deepEqual(
    events.map((e) => e.event_type),
    ['actor:message_accepted', 'actor:invocation_started', 'actor:step_journaled', 'actor:invocation_completed'],
  );
  assert.ok(events.every((e) => e.trace_id === '0af7651916cd43dd8448eb211c80319c'), 'the trace id the caller sent');
});

it('metrics count deduplicated messages by actor type', { timeout: 10_000 }, async () => {
  const runtime = new ActorRuntime({ store: new MemoryStore() }).register(Echo);
  const server = await createHealthServer({ port: 0, runtime });
  after(async () => {
    await server.close();
    await runtime.stop();
  });
  for (let i = 0; i < 3; i++) await runtime.send({ actorType: 'Echo', actorId: 'e', method: 'echo', args: [1], idempotencyKey: 'once' });
  await runtime.drain();
  const s = parseProm(await (await fetch(`${server.url}/metrics`)).text());
  assert.equal(total(s, 'loom_invocations_accepted_total', { actor_type: 'Echo' }), 1);
  assert.equal(total(s, 'loom_messages_deduplicated_total', { actor_type: 'Echo' }), 2);
  assert.equal(total(s, 'loom_invocations_finished_total', { actor_type: 'Echo', outcome: 'completed' }), 1);
  assert.ok(!s.some((x) => x.name.startsWith('process_') || x.name.startsWith('nodejs_')), 'Loom registers nothing of prom-client’s defaults');
});
