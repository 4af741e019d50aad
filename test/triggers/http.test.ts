// The HTTP trigger over real HTTP (Node's fetch) against real stores.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { createHttpTrigger, serveHttp, type LoomHttpServer } from '../../src/triggers/index.js';
import { forEachStore } from '../support/stores.js';
import { Orders, calls } from './http-actors.js';

const json = (body: unknown, key?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
  body: JSON.stringify(body),
});

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

await forEachStore('HTTP trigger', (maker) => {
  describe(`HTTP trigger on ${maker.kind}`, { timeout: 60_000 }, () => {
    let runtime: ActorRuntime;
    let http: LoomHttpServer;
    before(async () => {
      runtime = new ActorRuntime({ store: maker.make(), logger: silentLogger, pollIntervalMs: 20 });
      runtime.register(Orders);
      await runtime.start();
      http = await serveHttp({
        runtime,
        triggers: [
          createHttpTrigger({ path: '/orders/:id', method: 'POST', actorType: 'orders', waitMs: 300, maxBodyBytes: 1000 }),
          createHttpTrigger({ path: '/burst/:id', method: 'POST', actorType: 'Orders', waitMs: 20_000 }),
          createHttpTrigger({ path: '/queue/:id', actorType: 'Orders', mode: 'send' }),
          createHttpTrigger({
            path: '/checked',
            actorType: 'Orders',
            actorId: { body: 'id' },
            idempotencyKey: 'required',
            schema: z.object({ id: z.string().min(1), item: z.string(), qty: z.number().int().positive().default(1) }),
          }),
          createHttpTrigger({ path: '/orders/:id/cancel', actorType: 'Orders', handler: 'cancel', args: ({ body, header }) => [(body as { reason: string }).reason, header('x-user') ?? 'anon'] }),
        ],
      });
    });
    after(async () => {
      await http?.close();
      await runtime?.stop();
      await maker.cleanup();
    });

    it('runs the handler once for 100 concurrent retries of one Idempotency-Key, and answers each identically', async () => {
      const id = `o-${randomUUID()}`;
      const before = calls.orders;
      const responses = await Promise.all(Array.from({ length: 100 }, () => fetch(`${http.url}/burst/${id}`, json({ id, item: 'book' }, `key-${id}`))));
      const seen = await Promise.all(responses.map(async (r) => JSON.stringify([r.status, r.headers.get('content-type'), r.headers.get('loom-invocation-id'), await r.text()])));
      assert.equal(new Set(seen).size, 1, `distinct responses: ${[...new Set(seen)].join('\n')}`);
      assert.equal(responses[0]!.status, 200);
      assert.deepEqual(JSON.parse(JSON.parse(seen[0]!)[3] as string), { orderId: id, placed: 1 });
      assert.equal(calls.orders - before, 1);
      assert.deepEqual(await runtime.getState(Orders.name, id), { placed: 1, items: ['book'] });
      // And a later retry still gets the stored response.
      const late = await fetch(`${http.url}/burst/${id}`, json({ id, item: 'book' }, `key-${id}`));
      assert.equal(JSON.stringify([late.status, late.headers.get('content-type'), late.headers.get('loom-invocation-id'), await late.text()]), seen[0]);
    });

    it('answers 422 to the same key with a different body, and runs nothing', async () => {
      const id = `o-${randomUUID()}`;
      const first = await fetch(`${http.url}/orders/${id}`, json({ id, item: 'book' }, `k-${id}`));
      assert.equal(first.status, 200);
      const before = calls.orders;
      const again = await fetch(`${http.url}/orders/${id}`, json({ id, item: 'lamp' }, `k-${id}`));
      assert.equal(again.status, 422);
      assert.equal(again.headers.get('content-type'), 'application/problem+json');
      const p = (await again.json()) as { type: string; status: number; detail: string };
      assert.equal(p.type, 'urn:loom:problem:idempotency-key-reused');
      assert.equal(p.status, 422);
      assert.match(p.detail, new RegExp(`k-${id}`));
      assert.equal(calls.orders, before);
      assert.deepEqual(await runtime.getState(Orders.name, id), { placed: 1, items: ['book'] });
    });

    it('answers 202 with a Location past the wait, and the Location gives the result once done', async () => {
      const id = `o-${randomUUID()}`;
      const res = await fetch(`${http.url}/orders/${id}`, json({ id, item: 'slow', slowMs: 1500 }, `slow-${id}`));
      assert.equal(res.status, 202);
      const location = res.headers.get('location');
      assert.ok(location?.startsWith('/loom/invocations/'), String(location));
      const body = (await res.json()) as { invocationId: string; status: string };
      assert.equal(body.status, 'pending');
      const done = await until(async () => {
        const r = await fetch(`${http.url}${location}`);
        return r.status === 202 ? (await r.body?.cancel(), undefined) : r;
      }, 'the polled result');
      assert.equal(done.status, 200);
      assert.deepEqual(await done.json(), { orderId: id, placed: 1 });
      // The retry of the original POST now answers with the result at once.
      const retry = await fetch(`${http.url}/orders/${id}`, json({ id, item: 'slow', slowMs: 1500 }, `slow-${id}`));
      assert.equal(retry.status, 200);
    });

    it('in send mode answers 202 once the message is stored, and it runs', async () => {
      const id = `q-${randomUUID()}`;
      const res = await fetch(`${http.url}/queue/${id}`, json({ id, item: 'pen' }));
      assert.equal(res.status, 202);
      const { invocationId } = (await res.json()) as { invocationId: string };
      assert.ok(await runtime.getInvocation(invocationId), 'the invocation is in the store when 202 arrives');
      assert.deepEqual(await runtime.result(invocationId), { orderId: id, placed: 1 });
    });

    it('answers a terminal handler error with 400 and its code', async () => {
      const id = `o-${randomUUID()}`;
      const res = await fetch(`${http.url}/orders/${id}`, json({ id, item: 'x', refuse: true }));
      assert.equal(res.status, 400);
      const p = (await res.json()) as { type: string; code: string; detail: string };
      assert.equal(p.type, 'urn:loom:problem:handler-failed');
      assert.equal(p.code, 'ORDER_REFUSED');
      assert.match(p.detail, /is refused/);
    });

    it('passes arguments built from the request to a named handler', async () => {
      const res = await fetch(`${http.url}/orders/o-9/cancel`, { ...json({ reason: 'late' }), headers: { 'content-type': 'application/json', 'x-user': 'ann' } });
      assert.deepEqual(await res.json(), { cancelled: 'o-9', reason: 'late', by: 'ann' });
    });

    it('refuses bad requests with a problem body and stores nothing', async () => {
      const id = `bad-${randomUUID()}`;
      const before = calls.orders;
      const cases: [string, RequestInit, number, string][] = [
        [`/orders/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, item: 'x'.repeat(2000) }) }, 413, 'payload-too-large'],
        [`/orders/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": ' }, 400, 'invalid-json'],
        [`/orders/${id}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415, 'unsupported-media-type'],
        [`/orders/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }, 405, 'method-not-allowed'],
        [`/orders/${id}`, json({ id }, '   '), 400, 'invalid-idempotency-key'],
        ['/checked', json({ id, item: 'x' }), 400, 'idempotency-key-required'],
        ['/checked', json({ id, item: 7 }, 'k1'), 400, 'validation-failed'],
        ['/checked', json({ item: 'x' }, 'k2'), 400, 'validation-failed'],
      ];
      for (const [path, init, status, kind] of cases) {
        const res = await fetch(`${http.url}${path}`, init);
        const p = (await res.json()) as { type: string; status: number; title: string; detail: string };
        assert.equal(res.status, status, `${path} ${JSON.stringify(p)}`);
        assert.equal(res.headers.get('content-type'), 'application/problem+json');
        assert.equal(p.type, `urn:loom:problem:${kind}`);
        assert.equal(p.status, status);
        assert.ok(p.title && p.detail, JSON.stringify(p));
      }
      const issues = await fetch(`${http.url}/checked`, json({ id, item: 7 }, 'k3'));
      assert.match(((await issues.json()) as { detail: string }).detail, /^item: /);
      assert.equal(calls.orders, before);
      assert.equal(await runtime.getState(Orders.name, id), undefined);
    });

    it('validates with the schema and passes its output on', async () => {
      const id = `c-${randomUUID()}`;
      const res = await fetch(`${http.url}/checked`, json({ id, item: 'mug' }, `c-${id}`));
      assert.equal(res.status, 200);
      assert.deepEqual(await runtime.getState(Orders.name, id), { placed: 1, items: ['mug'] });
    });

    it('answers 404 for unknown paths and invocations', async () => {
      assert.equal((await fetch(`${http.url}/nowhere`, json({}))).status, 404);
      const r = await fetch(`${http.url}/loom/invocations/${randomUUID()}`);
      assert.equal(r.status, 404);
      assert.equal(((await r.json()) as { type: string }).type, 'urn:loom:problem:not-found');
    });
  });
}, ['memory', 'sqlite', 'redis', 'postgres']);
