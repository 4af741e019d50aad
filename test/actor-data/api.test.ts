// this.kv and this.log on the memory and SQLite stores: reads see the turn's own
// writes, nothing of a failed attempt is committed or cached, an evicted or
// restarted activation reads back what was committed, bad keys and values fail
// alone with an error naming them, and a store without the capability says so.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime, RetryableError, TerminalError } from '../../src/index.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { memoryRuntime, sqliteRuntime, tempDir } from '../support/runtime.js';
import { silentLogger } from '../../src/core/logger.js';
import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/ports/store.js';
import { RedisStore } from '../../src/adapters/redis/index.js';
import { PostgresStore } from '../../src/adapters/postgres/index.js';
import { dropPrefix, openAdmin, redisUrl } from '../support/redis.js';
import { serviceSkips } from '../support/service-skips.js';
import { adminPool, postgresUrl } from '../support/postgres.js';

interface Msg {
  role: string;
  text: string;
}

let failNext = 0;

class Agent extends Actor<{ turns: number }> {
  static initialState = { turns: 0 };
  static config = { retryPolicy: { maxAttempts: 3, backoff: 'fixed' as const, initialDelayMs: 5 } };

  async say(text: string) {
    const messages = this.log<Msg>('messages');
    messages.append({ role: 'user', text });
    const count = ((await this.kv.get<number>('count')) ?? 0) + 1;
    this.kv.set('count', count);
    if (failNext > 0) {
      failNext--;
      throw new RetryableError('flaky, after writing');
    }
    this.state.turns += 1;
    return { count, last: (await messages.last(3)).map((m) => m.text), bounds: await messages.bounds() };
  }

  async sayThenFail(text: string) {
    this.log<Msg>('messages').append({ role: 'user', text });
    this.kv.set('count', -1);
    this.kv.set('extra', true);
    assert.equal(await this.kv.get('count'), -1, 'a turn reads its own writes');
    throw new TerminalError('gave up');
  }

  async read() {
    const messages = this.log<Msg>('messages');
    return {
      count: (await this.kv.get<number>('count')) ?? null,
      extra: (await this.kv.get('extra')) ?? null,
      keys: await this.kv.keys(),
      length: await messages.length(),
      texts: (await messages.range(0)).map((m) => m.text),
    };
  }

  async sayAcrossSleep(text: string) {
    const messages = this.log<Msg>('messages');
    messages.append({ role: 'user', text: `${text}-before` });
    await this.sleep(5);
    messages.append({ role: 'user', text: `${text}-after` });
    return (await messages.last(2)).map((m) => m.text);
  }

  async keep(n: number) {
    this.log('messages').trimTo(n);
    return this.log('messages').bounds();
  }

  trimOnly(n: number) {
    // No read in this turn: its commit must learn the log's bounds itself.
    this.log('messages').trimTo(n);
    return Promise.resolve();
  }

  async dropWhile(prefix: string) {
    const removed = await this.log<Msg>('messages').trimWhile((m) => m.text.startsWith(prefix));
    return { removed, bounds: await this.log('messages').bounds() };
  }

  async edit() {
    const obj = (await this.kv.get<{ list: number[] }>('obj')) ?? { list: [] };
    obj.list.push(obj.list.length);
    // Mutating what get() returned changes nothing until set().
    const again = (await this.kv.get<{ list: number[] }>('obj')) ?? { list: [] };
    this.kv.set('obj', obj);
    this.kv.delete('missing');
    return { obj, again };
  }

  async badKey(which: string) {
    if (which === 'empty') this.kv.set('', 1);
    if (which === 'nul') this.kv.set('a\u0000b', 1);
    if (which === 'fn') this.kv.set('handler', () => 1);
    if (which === 'map') this.log('m').append(new Map());
    if (which === 'long') this.log('x'.repeat(600)).append(1);
    return 'unreachable';
  }
}

class Counter extends Actor {
  async bump() {
    const n = ((await this.kv.get<number>('n')) ?? 0) + 1;
    await new Promise((r) => setTimeout(r, 1));
    this.kv.set('n', n);
    this.log('seen').append(n);
    return n;
  }
  async get() {
    return { n: await this.kv.get<number>('n'), seen: await this.log<number>('seen').range(0) };
  }
}

type Backend = { start: (o?: object) => Promise<ActorRuntime>; cleanup: () => unknown };
type Make = () => Promise<Backend>;
/** A runtime factory on one store kind. */
const server = (store: () => Store, cleanup: () => Promise<void>): Backend => ({
  start: async (o = {}) => new ActorRuntime({ store: store(), logger: silentLogger, pollIntervalMs: 20, ...o }),
  cleanup,
});
/** A backend and a runtime on it, both stopped after the test whatever its outcome. */
async function started(t: TestContext, make: Make, o?: object): Promise<{ b: Backend; rt: ActorRuntime }> {
  const b = await make();
  t.after(b.cleanup);
  const rt = await b.start(o);
  t.after(() => rt.stop());
  return { b, rt };
}
const backends: [string, Make][] = [
  ['memory', async () => {
    const store = new MemoryStore();
    return { start: (o = {}) => memoryRuntime({ store, ...o }), cleanup: () => {} };
  }],
  ['sqlite', async () => {
    const dir = tempDir();
    return { start: async (o = {}) => sqliteRuntime(dir.db, o), cleanup: dir.cleanup };
  }],
  // The same tests on the real services, each run under its own key prefix or schema.
  ['redis', async () => {
    const prefix = `loom-data-${randomUUID().slice(0, 8)}:`;
    return server(() => new RedisStore(redisUrl, { prefix, logger: silentLogger }), async () => {
      const { admin } = await openAdmin();
      await dropPrefix(admin, prefix);
      admin.disconnect();
    });
  }],
  ['postgres', async () => {
    const schema = `loom_data_${randomUUID().slice(0, 8)}`;
    return server(() => new PostgresStore(postgresUrl, { schema, logger: silentLogger }), async () => {
      const admin = adminPool();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
  }],
];

const skipFor = await serviceSkips();

const call = (rt: ActorRuntime, method: string, ...args: unknown[]) => rt.call({ actorType: 'Agent', actorId: 'a1', method, args });

for (const [name, make] of backends) {
  describe(`this.kv and this.log on ${name}`, { skip: skipFor(name) }, () => {
    it('appends, reads its own writes, and commits with the turn', { timeout: 30_000 }, async (t) => {
      const { rt } = await started(t, make);
      rt.register(Agent);
      for (let i = 0; i < 5; i++) await call(rt, 'say', `m${i}`);
      const r = (await call(rt, 'say', 'm5')) as { count: number; last: string[]; bounds: unknown };
      assert.deepEqual(r, { count: 6, last: ['m3', 'm4', 'm5'], bounds: { first: 0, next: 6 } });
      assert.deepEqual(await call(rt, 'read'), { count: 6, extra: null, keys: ['count'], length: 6, texts: ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'] });
      assert.deepEqual(await call(rt, 'edit'), { obj: { list: [0] }, again: { list: [] } });
      assert.deepEqual(await call(rt, 'edit'), { obj: { list: [0, 1] }, again: { list: [0] } });
    });

    it('a failed attempt commits nothing and leaves nothing cached; its retry starts from what was committed', { timeout: 30_000 }, async (t) => {
      const { rt } = await started(t, make);
      rt.register(Agent);
      await call(rt, 'say', 'first');
      await assert.rejects(call(rt, 'sayThenFail', 'lost'), { message: /gave up/ });
      assert.deepEqual(await call(rt, 'read'), { count: 1, extra: null, keys: ['count'], length: 1, texts: ['first'] });
      failNext = 2;
      const r = (await call(rt, 'say', 'second')) as { count: number; last: string[] };
      assert.equal(failNext, 0, 'two attempts failed after writing');
      assert.deepEqual(r.last, ['first', 'second'], 'the failed attempts appended nothing');
      assert.equal(r.count, 2);
    });

    it('writes made before a sleep commit once, with the result (parked or resumed)', { timeout: 30_000 }, async (t) => {
      const b = await make();
      t.after(b.cleanup);
      let rt = await b.start();
      t.after(() => rt.stop()); // the runtime running when the test ends, however it ends
      rt.register(Agent);
      assert.deepEqual(await call(rt, 'sayAcrossSleep', 'x'), ['x-before', 'x-after']);
      await rt.stop();
      // Every sleep leaves memory: the handler re-runs from the top after it, and its first append is made again.
      rt = await b.start({ parkSleepsUpToMs: 0 });
      t.after(() => rt.stop());
      rt.register(Agent);
      assert.deepEqual(await call(rt, 'sayAcrossSleep', 'y'), ['y-before', 'y-after']);
      assert.deepEqual(((await call(rt, 'read')) as { texts: string[] }).texts, ['x-before', 'x-after', 'y-before', 'y-after']);
    });

    it('trimTo keeps the newest entries; trimWhile removes from the oldest; indexes stay', { timeout: 30_000 }, async (t) => {
      const { rt } = await started(t, make);
      rt.register(Agent);
      for (const text of ['old1', 'old2', 'old3', 'new1', 'new2']) await call(rt, 'say', text);
      assert.deepEqual(await call(rt, 'keep', 4), { first: 1, next: 5 });
      assert.deepEqual(await call(rt, 'dropWhile', 'old'), { removed: 2, bounds: { first: 3, next: 5 } });
      assert.deepEqual(((await call(rt, 'read')) as { texts: string[] }).texts, ['new1', 'new2']);
      const r = (await call(rt, 'say', 'new3')) as { bounds: unknown; last: string[] };
      assert.deepEqual(r.bounds, { first: 3, next: 6 });
      assert.deepEqual(r.last, ['new1', 'new2', 'new3']);
    });

    it('an evicted activation, and a new runtime, read back exactly what was committed', { timeout: 30_000 }, async (t) => {
      const b = await make();
      t.after(b.cleanup);
      let rt = await b.start({ maxActivations: 1, idleTimeoutMs: 1 });
      t.after(() => rt.stop()); // the runtime running when the test ends, however it ends
      rt.register(Agent);
      for (let i = 0; i < 3; i++) await call(rt, 'say', `m${i}`);
      // Other actors push a1's activation out.
      for (let i = 0; i < 5; i++) await rt.call({ actorType: 'Agent', actorId: `other${i}`, method: 'say', args: ['x'] });
      assert.deepEqual(((await call(rt, 'say', 'm3')) as { last: string[] }).last, ['m1', 'm2', 'm3']);
      await rt.stop();
      rt = await b.start();
      t.after(() => rt.stop());
      rt.register(Agent);
      assert.deepEqual(await call(rt, 'read'), { count: 4, extra: null, keys: ['count'], length: 4, texts: ['m0', 'm1', 'm2', 'm3'] });
    });

    it('trimTo in a turn that read nothing, on a fresh activation, trims what was committed', { timeout: 30_000 }, async (t) => {
      const b = await make();
      t.after(b.cleanup);
      let rt = await b.start();
      t.after(() => rt.stop()); // the runtime running when the test ends, however it ends
      rt.register(Agent);
      for (let i = 0; i < 4; i++) await call(rt, 'say', `m${i}`);
      await rt.stop();
      rt = await b.start();
      t.after(() => rt.stop());
      rt.register(Agent);
      await call(rt, 'trimOnly', 1);
      assert.deepEqual(((await call(rt, 'read')) as { texts: string[] }).texts, ['m3']);
    });

    it('with concurrency above 1, no kv update is lost (a turn that writes data is version-checked)', { timeout: 30_000 }, async (t) => {
      const { rt } = await started(t, make);
      rt.register(Counter, { concurrency: 4 });
      const n = 20;
      const got = await Promise.all(Array.from({ length: n }, () => rt.call({ actorType: 'Counter', actorId: 'c', method: 'bump' })));
      assert.deepEqual([...(got as number[])].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i + 1));
      const end = (await rt.call({ actorType: 'Counter', actorId: 'c', method: 'get' })) as { n: number; seen: number[] };
      assert.equal(end.n, n);
      assert.deepEqual([...end.seen].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i + 1));
    });

    it('a bad key, log name or value fails the invocation alone, naming it', { timeout: 30_000 }, async (t) => {
      const { rt } = await started(t, make);
      rt.register(Agent);
      const cases: [string, RegExp][] = [
        ['empty', /this\.kv\.set\(key, value\): the key must not be empty/],
        ['nul', /the key "a\\u0000b" contains a NUL character/],
        ['fn', /this\.kv key "handler"/],
        ['map', /this\.log\("m"\)/],
        ['long', /the log name is 600 characters long; the limit is 512/],
      ];
      for (const [which, message] of cases) {
        await assert.rejects(call(rt, 'badKey', which), (err: Error & { code: string }) => {
          assert.equal(err.code, 'LOOM_DEAD_LETTERED', which);
          assert.match(err.message, message);
          return true;
        });
      }
      await call(rt, 'say', 'still fine');
      assert.deepEqual(((await call(rt, 'read')) as { keys: string[] }).keys, ['count']);
    });
  });
}

describe('a store without actor data', () => {
  it('fails a handler that uses this.kv or this.log with LOOM_NO_ACTOR_DATA, naming the store and the way out', { timeout: 30_000 }, async (t) => {
    const store = new MemoryStore();
    Object.defineProperty(store, 'actorData', { value: undefined });
    const rt = new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 20 });
    t.after(() => rt.stop());
    rt.register(Agent);
    await assert.rejects(call(rt, 'say', 'x'), (err: Error & { code: string; info: { code?: string } }) => {
      assert.equal(err.info.code, 'LOOM_NO_ACTOR_DATA');
      assert.match(err.message, /keeps no per-key state or logs.*MemoryStore.*|MemoryStore.*keeps no per-key state or logs/);
      assert.match(err.message, /memory, SQLite, Redis or PostgreSQL/);
      return true;
    });
  });
});

describe('the activation cache', () => {
  it('serves a growing log\'s last(20) and a known key without reading the store again', { timeout: 30_000 }, async (t) => {
    const store = new MemoryStore();
    const data = store.actorData;
    const reads = { readKey: 0, readLog: 0, logBounds: 0 };
    for (const name of Object.keys(reads) as (keyof typeof reads)[]) {
      const real = data[name].bind(data) as (...a: unknown[]) => Promise<unknown>;
      (data as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => (reads[name]++, real(...a));
    }
    const rt = new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 20 });
    t.after(() => rt.stop());
    rt.register(Agent);
    await call(rt, 'say', 'm0');
    const after1 = { ...reads };
    for (let i = 1; i < 100; i++) {
      const r = (await call(rt, 'say', `m${i}`)) as { last: string[] };
      assert.deepEqual(r.last, [`m${i - 2}`, `m${i - 1}`, `m${i}`].filter((m) => m !== 'm-1'));
    }
    assert.deepEqual(reads, after1, 'no store read after the first turn');
  });
});
