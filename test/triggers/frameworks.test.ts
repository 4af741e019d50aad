// The same triggers mounted as Express middleware and as a fetch-style handler (Hono, Bun, Deno).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { createFetchHandler, createHttpHandler, createHttpTrigger } from '../../src/triggers/index.js';
import { tempDir } from '../support/runtime.js';
import { Orders } from './http-actors.js';

describe('HTTP trigger in frameworks', { timeout: 30_000 }, () => {
  const tmp = tempDir();
  let runtime: ActorRuntime;
  let server: Server;
  let base: string;
  const trigger = createHttpTrigger({ path: '/api/orders', method: 'POST', actorType: 'orders' });

  before(async () => {
    runtime = new ActorRuntime({ store: new SqliteStore({ path: tmp.db }), logger: silentLogger, pollIntervalMs: 20 });
    runtime.register(Orders);
    await runtime.start();
    const app = express();
    app.use(createHttpHandler(runtime, [trigger]));
    app.get('/health', (_req, res) => void res.json({ ok: true }));
    await new Promise<void>((r) => (server = app.listen(0, '127.0.0.1', () => r())));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await runtime?.stop();
    tmp.cleanup();
  });

  it('Express: the middleware answers its routes and hands the others to the next handler', async () => {
    const res = await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'e1' }, body: JSON.stringify({ id: 'ex-1', item: 'cup' }) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { orderId: 'ex-1', placed: 1 });
    assert.deepEqual(await (await fetch(`${base}/health`)).json(), { ok: true });
  });

  it('Express: a body parsed by express.json() first is still fingerprinted and sent', async () => {
    const app = express();
    app.use(express.json());
    app.use(createHttpHandler(runtime, [trigger]));
    const s = await new Promise<Server>((r) => {
      const srv = app.listen(0, '127.0.0.1', () => r(srv));
    });
    try {
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/orders`;
      const send = (item: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'e2' }, body: JSON.stringify({ id: 'ex-2', item }) });
      assert.equal((await send('cup')).status, 200);
      assert.equal((await send('cup')).status, 200);
      assert.equal((await send('plate')).status, 422);
    } finally {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('fetch handler: a web Request in, a Response out, undefined for other paths', async () => {
    const handle = createFetchHandler(runtime, [trigger]);
    const req = () => new Request('http://app.local/api/orders', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'f1' }, body: JSON.stringify({ id: 'fx-1', item: 'pan' }) });
    const a = await handle(req());
    const b = await handle(req());
    assert.equal(a?.status, 200);
    assert.equal(await a?.text(), await b?.text());
    assert.equal(await handle(new Request('http://app.local/other')), undefined);
    const big = await handle(new Request('http://app.local/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'x', item: 'y'.repeat(2_000_000) }) }));
    assert.equal(big?.status, 413);
  });
});

describe('HTTP trigger misconfigured', { timeout: 30_000 }, () => {
  it('answers 500 with a problem body when the configured actor type does not exist, and stores nothing', async () => {
    const tmp = tempDir();
    const runtime = new ActorRuntime({ store: new SqliteStore({ path: tmp.db }), logger: silentLogger, pollIntervalMs: 20 });
    runtime.register(Orders);
    try {
      const handle = createFetchHandler(runtime, [createHttpTrigger({ path: '/x/:id', actorType: 'Nope' })]);
      const res = await handle(new Request('http://app.local/x/1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
      assert.equal(res?.status, 500);
      const p = (await res!.json()) as { type: string; code: string; detail: string };
      assert.equal(p.type, 'urn:loom:problem:internal');
      assert.equal(p.code, 'LOOM_UNKNOWN_ACTOR');
      assert.match(p.detail, /Nope/);
    } finally {
      await runtime.stop();
      tmp.cleanup();
    }
  });

  it('answers 503 with Retry-After when the store is unavailable, so that the client retries with its key', async () => {
    const tmp = tempDir();
    const runtime = new ActorRuntime({ store: new SqliteStore({ path: tmp.db }), logger: silentLogger, pollIntervalMs: 20 });
    runtime.register(Orders);
    try {
      await runtime.start();
      await runtime.store.close(); // the database goes away under a running runtime
      const handle = createFetchHandler(runtime, [createHttpTrigger({ path: '/x/:id', actorType: 'Orders' })]);
      const res = await handle(new Request('http://app.local/x/1', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k' }, body: '{"item":"a"}' }));
      assert.equal(res?.status, 503);
      assert.equal(res?.headers.get('retry-after'), '1');
      assert.equal(((await res!.json()) as { type: string }).type, 'urn:loom:problem:unavailable');
    } finally {
      await runtime.stop();
      tmp.cleanup();
    }
  });
});
