// When a write may or may not have been applied, the caller is told the outcome is unknown
// (LOOM_OUTCOME_UNKNOWN), never that nothing was enqueued: a keyless retry would apply it twice.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Actor, ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { partitionOf } from '../../src/core/ids.js';
import { RedisStore } from '../../src/adapters/redis/index.js';
import { idempotencyIndex } from '../../src/adapters/redis/keys.js';
import { dropPrefix, openAdmin, redisUnavailable, redisUrl } from '../support/redis.js';
import { TcpProxy } from '../support/proxy.js';
import { PostgresStore } from '../../src/adapters/postgres/index.js';
import { adminPool, postgresUrl, unreachable as pgUnreachable } from '../support/postgres.js';
import { backendUnavailable } from '../support/backend.js';

class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add() {
    return ++this.state.n;
  }
}

/** Asserts the error says the outcome is unknown and how to retry, and does not claim that nothing was stored. */
function assertUnknown(err: unknown): true {
  assert.equal((err as { code?: string }).code, 'LOOM_OUTCOME_UNKNOWN', String(err));
  const message = (err as Error).message;
  assert.match(message, /outcome is unknown/);
  assert.match(message, /same idempotency key/);
  assert.doesNotMatch(message, /nothing was enqueued/i);
  return true;
}

const { admin, unreachable } = await openAdmin();
if (unreachable) {
  redisUnavailable('outcome unknown on Redis', unreachable);
} else {
  const prefixes: string[] = [];
  const newPrefix = () => {
    const p = `loom-ou-${randomBytes(4).toString('hex')}:`;
    prefixes.push(p);
    return p;
  };
  after(async () => {
    for (const p of prefixes) await dropPrefix(admin, p);
    await admin.quit();
  });

  describe('on Redis, a write whose outcome is unknown', () => {
    it('is reported as such when its script fails after some of its writes, while the other messages of its pipeline complete', async (t) => {
      const prefix = newPrefix();
      const rt = new ActorRuntime({ store: new RedisStore(redisUrl, { prefix, logger: silentLogger }), logger: silentLogger, pollIntervalMs: 50 });
      t.after(() => rt.stop(100));
      rt.register(Counter);
      await rt.start();
      // Another application's key where the enqueue script adds the message to its partition's pending index:
      // the script has written the invocation and its idempotency key when that command fails.
      const partition = partitionOf('Counter', 'trapped', 64);
      await admin.set(`${prefix}pending:${partition}`, 'not a sorted set');
      const others = Array.from({ length: 40 }, (_, i) => `a${i}`).filter((id) => partitionOf('Counter', id, 64) !== partition).slice(0, 8);
      const good = others.map((id) => rt.call({ actorType: 'Counter', actorId: id, method: 'add', args: [], idempotencyKey: 'k' }));
      const trapped = rt.call({ actorType: 'Counter', actorId: 'trapped', method: 'add', args: [], idempotencyKey: 'k' });
      await assert.rejects(trapped, assertUnknown);
      assert.ok(await admin.get(prefix + idempotencyIndex('Counter', 'trapped', 'k')), 'something of it was applied: the caller was right not to hear "nothing was enqueued"');
      assert.deepEqual(await Promise.all(good), others.map(() => 1), 'every other message of the pipeline was applied and ran once');
    });

    it('is reported as such when the connection fails after the write reached Redis, and a retry with the same key applies it once', async (t) => {
      const prefix = newPrefix();
      const url = new URL(redisUrl);
      const proxy = new TcpProxy(url.hostname, Number(url.port || 6379));
      await proxy.start();
      t.after(() => proxy.stop());
      const store = new RedisStore({ host: '127.0.0.1', port: proxy.port, maxRetriesPerRequest: 1 }, { prefix, logger: silentLogger });
      const rt = new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 50 });
      t.after(() => rt.stop(100));
      rt.register(Counter);
      await rt.start();
      assert.equal(await rt.call({ actorType: 'Counter', actorId: 'warm', method: 'add', args: [] }), 1);

      proxy.holdReplies();
      const sending = rt.send({ actorType: 'Counter', actorId: 'c', method: 'add', args: [], idempotencyKey: 'order-1' });
      const sent = assert.rejects(sending, assertUnknown);
      // Redis applied the enqueue; only its answer is held back. Then the connection dies.
      while (!(await admin.exists(prefix + idempotencyIndex('Counter', 'c', 'order-1')))) await new Promise((r) => setTimeout(r, 10));
      await proxy.stop();
      await sent;

      proxy.heal();
      await proxy.restart();
      // Until the client has reconnected, a send is refused before anything is sent: "nothing was enqueued" is then true.
      let again;
      for (;;) {
        try {
          again = await rt.send({ actorType: 'Counter', actorId: 'c', method: 'add', args: [], idempotencyKey: 'order-1' });
          break;
        } catch (err) {
          assert.equal((err as { code?: string }).code, 'LOOM_STORE', String(err));
          assert.match((err as Error).message, /nothing was sent/);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      assert.equal(again.duplicate, true, 'the retry found the message stored by the first send');
      assert.equal(await rt.result(again.invocationId), 1);
      assert.deepEqual(await rt.getState('Counter', 'c'), { n: 1 }, 'applied once');
    });
  });
}

const pgAdmin = adminPool();
const pgDown = await pgUnreachable(pgAdmin);
if (pgDown) {
  backendUnavailable('outcome unknown on PostgreSQL', 'PostgreSQL', pgDown, 'LOOM_TEST_POSTGRES_URL');
  after(() => pgAdmin.end());
} else {
  describe('on PostgreSQL, a write whose outcome is unknown', () => {
    after(() => pgAdmin.end());

    it('is reported as such when the connection fails after the statement reached the server', async (t) => {
      const schema = `loom_ou_${randomBytes(4).toString('hex')}`;
      t.after(() => pgAdmin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
      const url = new URL(postgresUrl);
      const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
      await proxy.start();
      t.after(() => proxy.stop());
      const proxied = new URL(postgresUrl);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      const store = new PostgresStore({ connectionString: proxied.toString(), max: 2 }, { schema, logger: silentLogger });
      t.after(() => store.close());
      await store.init();
      const item = { id: randomUUID(), actorType: 'Counter', actorId: 'c', method: 'add', argsJson: '[]', idempotencyKey: 'order-1', partition: 1, ttlMs: 60_000 };

      proxy.holdReplies();
      const sent = assert.rejects(store.enqueue([item]), assertUnknown);
      // The statement committed; only its answer is held back. Then the connection dies.
      while ((await pgAdmin.query(`SELECT 1 FROM ${schema}.invocations WHERE id = $1`, [item.id])).rowCount === 0) await new Promise((r) => setTimeout(r, 10));
      await proxy.stop();
      await sent;

      proxy.heal();
      await proxy.restart();
      const [again] = await store.enqueue([{ ...item, id: randomUUID() }]);
      assert.equal(again?.duplicate, true, 'a retry with the same key finds the message the first attempt stored');
      assert.equal(again?.record.id, item.id);
    });
  });
}
