/**
 * Studio's HTTP API without a browser: access rules, bad input, live updates and
 * what they cost the store. Over a real SQLite file shared with a worker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { ActorRuntime } from '../../src/index.js';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { startStudio } from '../../src/studio/index.js';
import { launchBrowser, requireBuiltUi } from './browser.js';
import { Account, Refunds, Slow } from './actors.js';

const TOKEN = 'a-studio-token-of-32-characters!';
const API = ['GET /api/overview', 'GET /api/invocations?tab=dead', 'GET /api/invocations/x', 'POST /api/invocations/x/redrive', 'POST /api/invocations/x/cancel',
  'POST /api/invoke', 'GET /api/actors', 'PUT /api/actors/A/a', 'GET /api/partitions', 'POST /api/bulk', 'GET /api/live?view=partitions', 'GET /api/stats', 'POST /api/promises/resolve'];

async function call(url: string, line: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; json: unknown }> {
  const [method, path] = line.split(' ') as [string, string];
  const res = await fetch(new URL(path, url), { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

describe('Studio server', { timeout: 120_000 }, () => {
  let dir: string;
  let worker: ActorRuntime;
  before(async () => {
    requireBuiltUi();
    dir = mkdtempSync(join(tmpdir(), 'loom-studio-server-'));
    worker = new ActorRuntime({ store: new SqliteStore({ path: join(dir, 'loom.db') }), pollIntervalMs: 50 }).register(Account).register(Refunds).register(Slow);
    await worker.start();
  });
  after(async () => {
    await worker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = (opts: Parameters<typeof startStudio>[0] = {}) =>
    startStudio({ store: new SqliteStore({ path: join(dir, 'loom.db') }), port: 0, audit: join(dir, 'audit.jsonl'), ...opts });

  it('refuses to bind beyond loopback without a token, naming the fix', async () => {
    await assert.rejects(open({ host: '0.0.0.0' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'LOOM_CONFIG');
      assert.match(err.message, /0\.0\.0\.0.*needs a token.*--token/);
      return true;
    });
    await assert.rejects(open({ host: '0.0.0.0', token: 'short' }), /at least 16 characters/);
  });

  it('answers 401 to every API call without the token on a non-loopback bind, and serves it with the token', async (t) => {
    const studio = await open({ host: '0.0.0.0', token: TOKEN });
    t.after(() => studio.close());
    const url = studio.url.replace('0.0.0.0', '127.0.0.1');
    for (const line of API) {
      const res = await call(url, line, {}, line.startsWith('GET') ? undefined : {});
      assert.equal(res.status, 401, `${line} without a token`);
      assert.equal((res.json as { error: { code: string } }).error.code, 'LOOM_STUDIO_UNAUTHORIZED');
      const wrong = await call(url, line, { authorization: `Bearer ${TOKEN.replace('a', 'b')}` }, line.startsWith('GET') ? undefined : {});
      assert.equal(wrong.status, 401, `${line} with a wrong token`);
    }
    const ok = await call(url, 'GET /api/overview', { authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200);
    // The page itself loads (it holds no data) and asks for the token.
    const page = await fetch(url);
    assert.equal(page.status, 200);
    const login = await call(url, 'POST /api/login', {}, { token: 'wrong-token-wrong-token' });
    assert.equal(login.status, 401);
  });

  it('signs in from the page with the token, in a browser', async (t) => {
    const studio = await open({ host: '0.0.0.0', token: TOKEN });
    const { context, close } = await launchBrowser();
    t.after(async () => { await close(); await studio.close(); });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(studio.url.replace('0.0.0.0', '127.0.0.1'));
    await page.getByText('Sign in to Loom Studio').waitFor({ timeout: 15_000 });
    await page.locator('input[name=token]').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Invocations/ }).waitFor({ timeout: 15_000 });
  });

  it('on loopback without a token, refuses a Host that is not a loopback name (DNS rebinding)', async (t) => {
    const studio = await open();
    t.after(() => studio.close());
    const { port } = new URL(studio.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/overview', headers: { host: `evil.example:${port}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 401);
    assert.equal((await call(studio.url, 'GET /api/overview')).status, 200);
  });

  it('refuses bad input by name with 400, unknown ids with 404, and writes failed actions to the audit log', async (t) => {
    const studio = await open();
    t.after(() => studio.close());
    const cases: [string, unknown, number, RegExp][] = [
      ['GET /api/invocations?tab=nope', undefined, 400, /tab must be one of/],
      ['GET /api/invocations?limit=0', undefined, 400, /limit must be a whole number from 1 to 500/],
      ['GET /api/invocations?colour=red', undefined, 400, /unknown invocations filter "colour"/],
      ['GET /api/invocations?status=stuck', undefined, 400, /neither a status .* nor a waiting reason/],
      ['GET /api/invocations/nope', undefined, 404, /no invocation nope/],
      ['POST /api/invoke', { actorType: 'Account', actorId: 'a', method: 'deposit', args: 5, mode: 'call' }, 400, /args must be a JSON array/],
      ['POST /api/invoke', { actorType: 'Account', actorId: 'a', method: 'deposit', args: [], mode: 'fire' }, 400, /mode must be "call" or "send"/],
      ['POST /api/invocations/nope/redrive', {}, 404, /nope/],
      ['PUT /api/actors/Account/a', { state: {} }, 400, /expectedVersion must be the version you read/],
      ['POST /api/bulk', { action: 'explode', query: '' }, 400, /action must be one of/],
      ['GET /api/live?view=everything', undefined, 400, /unknown live view/],
      ['DELETE /api/overview', undefined, 405, /takes GET/],
    ];
    for (const [line, body, status, message] of cases) {
      const res = await call(studio.url, line, {}, body);
      assert.equal(res.status, status, `${line}: ${JSON.stringify(res.json)}`);
      assert.match((res.json as { error: { message: string } }).error.message, message, line);
    }
    const bad = await fetch(new URL('/api/invoke', studio.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"actorType":' });
    assert.equal(bad.status, 400);
    assert.match(readFileSync(join(dir, 'audit.jsonl'), 'utf8'), /"action":"redrive","target":"nope".*"outcome":"failed"/);
  });

  it('cancels, retries a sleeper now and restarts from a step through the API, and refuses a cancel or retry the status does not allow, by name', async (t) => {
    const studio = await open();
    t.after(() => studio.close());
    const post = (path: string, body: unknown = {}) => call(studio.url, `POST ${path}`, {}, body);
    const { invocationId: sleeper } = await worker.send({ actorType: 'Slow', actorId: 'api-1', method: 'wait', args: [] });
    await until(async () => (await worker.getInvocation(sleeper))?.started === true);
    const detail = (await call(studio.url, `GET /api/invocations/${sleeper}`)).json as { invocation: { waiting: { kind: string } }; actions: { cancel: boolean; retryNow: boolean } };
    assert.equal(detail.invocation.waiting.kind, 'sleeping');
    assert.deepEqual([detail.actions.cancel, detail.actions.retryNow], [true, true]);
    assert.equal((await post(`/api/invocations/${sleeper}/cancel`)).status, 200);
    assert.equal((await worker.getInvocation(sleeper))?.error?.code, 'LOOM_CANCELLED');
    const again = await post(`/api/invocations/${sleeper}/cancel`);
    assert.equal(again.status, 409);
    assert.match((again.json as { error: { message: string } }).error.message, /cannot cancel invocation .*: it is cancelled/);

    const retried = await post(`/api/invocations/${sleeper}/retry`);
    assert.equal(retried.status, 409);
    assert.match((retried.json as { error: { message: string } }).error.message, /cannot retry invocation .*: it is cancelled/);

    const { invocationId: napper } = await worker.send({ actorType: 'Slow', actorId: 'api-3', method: 'wait', args: [] });
    await until(async () => (await worker.getInvocation(napper))?.started === true);
    assert.equal((await post(`/api/invocations/${napper}/retry`)).status, 200);
    assert.equal(await worker.result(napper), 'woke');

    const { invocationId: refund } = await worker.send({ actorType: 'Refunds', actorId: 'api-2', method: 'request', args: [{ id: 'api-2' }] });
    await until(async () => (await worker.getInvocation(refund))?.waitingOn !== undefined);
    const restarted = await post(`/api/invocations/${refund}/restart`, { fromStep: 2 });
    assert.equal(restarted.status, 200, JSON.stringify(restarted.json));
    const copy = (restarted.json as { invocationId: string }).invocationId;
    assert.notEqual(copy, refund);
    const copied = (await call(studio.url, `GET /api/invocations/${encodeURIComponent(copy)}`)).json as { timeline: { kind: string }[] };
    assert.deepEqual(copied.timeline.slice(0, 2).map((e) => e.kind), ['step', 'now']);
    assert.equal((await post(`/api/invocations/${refund}/restart`, { fromStep: -1 })).status, 400);
    assert.match(readFileSync(join(dir, 'audit.jsonl'), 'utf8'), new RegExp(`"action":"restart","target":"${refund} from step 2".*"outcome":"ok"`));
  });

  it('pushes a change to every browser on an open live view, and polls each open view once however many watch it', async (t) => {
    const studio = await open({ livePollMs: 1000 });
    t.after(() => studio.close());
    await worker.call({ actorType: 'Account', actorId: 'live-1', method: 'deposit', args: [1] });
    const streams = await Promise.all([0, 1, 2].map(() => openStream(new URL('/api/live?view=actor&type=Account&id=live-1', studio.url).href)));
    t.after(() => streams.forEach((s) => s.close()));
    await Promise.all(streams.map((s) => s.next((d) => (d as { version: number }).version === 1)));
    const before = studio.storeQueries;
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const idle = (studio.storeQueries - before) / ((Date.now() - started) / 1000);
    assert.ok(idle <= 1.5, `three browsers on one idle view cost ${idle.toFixed(2)} store queries a second`);
    // The change reaches every open stream with no request from the page (bench/studio.ts measures how fast).
    await worker.call({ actorType: 'Account', actorId: 'live-1', method: 'deposit', args: [1] });
    await Promise.all(streams.map((s) => s.next((d) => (d as { version: number }).version === 2)));
  });
});

/** A server-sent events reader: `next` resolves with the first update matching. */
async function openStream(url: string): Promise<{ next: (match: (data: unknown) => boolean) => Promise<unknown>; close: () => void }> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  assert.equal(res.status, 200);
  const updates: unknown[] = [];
  const waiters: (() => void)[] = [];
  void (async () => {
    let buf = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: update') && data) {
            updates.push(JSON.parse(data.slice(6)));
            waiters.splice(0).forEach((w) => w());
          }
        }
      }
    } catch { /* closed */ }
  })();
  return {
    next: async (match) => {
      for (;;) {
        const found = updates.find(match);
        if (found !== undefined) return found;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    close: () => abort.abort(),
  };
}

async function until(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(await cond(), 'condition not met in 15 s');
}
