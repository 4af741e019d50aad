// The seed README's "Service Discovery" and "Event-Driven Triggers" snippets, as written there.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { createHttpTrigger, createScheduleTrigger, serveHttp } from '../../src/triggers/index.js';

class PaymentProcessor extends Actor {
  async charge(amount: number) {
    return { charged: amount, by: this.actorId };
  }
}
class OrderProcessor extends Actor<{ orders: string[] }> {
  static initialState = { orders: [] as string[] };
  async processOrder(body: { id: string }) {
    this.state.orders.push(body.id);
    return { processed: body.id };
  }
}
class ReportGenerator extends Actor<{ runs: number }> {
  static initialState = { runs: 0 };
  async handle() {
    this.state.runs++;
  }
}

it('runs the seed README discovery and trigger snippets as written', { timeout: 30_000 }, async () => {
  const runtime = new ActorRuntime({ store: new MemoryStore(), logger: silentLogger, pollIntervalMs: 20 });
  runtime.register(PaymentProcessor).register(OrderProcessor).register(ReportGenerator);
  runtime.schedules.configure({ checkIntervalMs: 50 });
  await runtime.start();
  try {
    const discovery = runtime.discovery;
    // Register actor for discovery
    await discovery.register({
      actorId: 'payment-processor',
      capabilities: ['stripe', 'paypal'],
      metadata: { region: 'us-east-1' },
    });
    // Discover actors by capability
    const processors = await discovery.find({ capability: 'stripe' });
    assert.deepEqual(processors.map((p) => [p.actorType, p.actorId, p.metadata]), [['PaymentProcessor', 'payment-processor', { region: 'us-east-1' }]]);
    assert.deepEqual(await runtime.call({ capability: 'paypal', method: 'charge', args: [10] }), { charged: 10, by: 'payment-processor' });

    // HTTP trigger
    const trigger = createHttpTrigger({
      path: '/api/orders',
      method: 'POST',
      actorType: 'order-processor',
    });
    const http = await serveHttp({ runtime, triggers: [trigger] });
    try {
      const res = await fetch(`${http.url}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'order-123' }) });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { processed: 'order-123' });
    } finally {
      await http.close();
    }

    // Schedule trigger
    const schedule = createScheduleTrigger({
      cron: '0 */6 * * *', // Every 6 hours
      actorId: 'report-generator',
    });
    const info = await runtime.schedules.put(schedule);
    assert.equal(Date.parse(info.nextTick!) % (6 * 3600_000), 0);
    // The same shape, every second, to see it fire without waiting six hours.
    await runtime.schedules.put(createScheduleTrigger({ id: 'fast', cron: '* * * * * *', actorId: 'report-generator' }));
    for (let i = 0; i < 60 && !((await runtime.getState<{ runs: number }>('ReportGenerator', 'report-generator'))?.runs ?? 0); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(((await runtime.getState<{ runs: number }>('ReportGenerator', 'report-generator'))?.runs ?? 0) >= 1);
  } finally {
    await runtime.stop();
  }
});
