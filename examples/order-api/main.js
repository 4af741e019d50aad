// Loom example: an order API over HTTP and a nightly report on cron, on the
// embedded SQLite store (no services needed).
//
//   npm run build && node examples/order-api/main.js           runs the tour below and exits
//   npm run build && node examples/order-api/main.js --serve   then keeps serving on PORT (default 3000)
//
// The tour places orders over real HTTP with Idempotency-Key headers, retries
// one, reuses a key with another body (422), sends a bad request, then puts the
// nightly report schedule and, so as not to wait until 02:00, a demo schedule
// that fires the same report every 2 seconds.
/* global fetch */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActorRuntime } from '../../dist/index.js';
import { createHttpTrigger, createScheduleTrigger, serveHttp } from '../../dist/triggers/index.js';
import { Ledger, Orders, Reports } from './actors.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '.data');
const serve = process.argv.includes('--serve');
const say = (line = '') => console.log(line);
rmSync(DATA, { recursive: true, force: true });

const runtime = new ActorRuntime({ dbPath: join(DATA, 'loom.db') });
runtime.register(Orders).register(Ledger).register(Reports);
await runtime.start();

const http = await serveHttp({
  runtime,
  port: serve ? Number(process.env.PORT ?? 3000) : 0,
  triggers: [
    // POST /orders/:id → Orders/<id>.place(body); the answer is the handler's result.
    createHttpTrigger({ path: '/orders/:id', method: 'POST', actorType: 'Orders', waitMs: 5000 }),
  ],
});
say(`order API on ${http.url}`);

const post = async (id, body, key) => {
  const res = await fetch(`${http.url}/orders/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  say(`  POST /orders/${id}${key ? ` (Idempotency-Key: ${key})` : ''} → ${res.status} ${text}`);
  return { status: res.status, text };
};

say('\n1. Orders over HTTP');
await post('o-1', { item: 'lamp', quantity: 2, unitPrice: 30 }, 'k-1');
await post('o-2', { item: 'desk', quantity: 1, unitPrice: 240 }, 'k-2');

say('\n2. A client retries o-1 with the same key: the stored answer, nothing runs again');
const retried = await Promise.all([1, 2, 3].map(() => post('o-1', { item: 'lamp', quantity: 2, unitPrice: 30 }, 'k-1')));
if (new Set(retried.map((r) => r.status + r.text)).size !== 1) throw new Error('retries got different answers');

say('\n3. The same key with another body, and a bad order');
const reused = await post('o-1', { item: 'lamp', quantity: 5, unitPrice: 30 }, 'k-1');
const bad = await post('o-3', { item: 'chair', quantity: 0, unitPrice: 80 }, 'k-3');
if (reused.status !== 422 || bad.status !== 400) throw new Error('expected 422 and 400');

say('\n4. The nightly report, on cron, stored in the database');
await runtime.schedules.put(
  createScheduleTrigger({ id: 'nightly-report', cron: '0 2 * * *', timezone: 'Europe/Paris', actorType: 'Reports', actorId: 'reports', method: 'nightly' }),
);
// The same report every 2 s, only for this tour.
await runtime.schedules.put(createScheduleTrigger({ id: 'demo-report', every: '2s', actorType: 'Reports', actorId: 'reports', method: 'nightly', catchUp: 'none' }));
for (const s of await runtime.schedules.list()) say(`  ${s.id}: next tick ${s.nextTick}`);
let state;
for (let i = 0; i < 100 && !(state?.reports.length > 0); i++) {
  await new Promise((r) => setTimeout(r, 100));
  state = await runtime.getState('Reports', 'reports');
}
const report = state?.reports[0];
say(`  report for tick ${report?.tick}: ${report?.orders} orders, revenue ${report?.revenue}`);
if (report?.orders !== 2 || report?.revenue !== 300) throw new Error(`the report should count 2 orders and 300 in revenue, got ${JSON.stringify(report)}`);
await runtime.schedules.delete('demo-report');

if (serve) {
  say(`\nServing on ${http.url}; try:\n  curl -i -X POST ${http.url}/orders/o-9 -H 'content-type: application/json' -H 'idempotency-key: abc' -d '{"item":"pen","quantity":3,"unitPrice":2}'`);
  process.on('SIGINT', () => void http.close().then(() => runtime.stop()).then(() => process.exit(0)));
} else {
  await http.close();
  await runtime.stop();
  say('\nok: 2 orders placed once each, retries answered from the store, 422 on key reuse, report on schedule');
}
