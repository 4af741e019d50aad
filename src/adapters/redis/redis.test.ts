import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { dropPrefix as dropKeys } from '../../../test/support/redis.js';
import type { NewInvocation } from '../../ports/store.js';
import { RedisStore } from './store.js';
import { resetDurabilityWarnings } from './durability.js';
import { leaseContract, storeContract } from '../../testing/index.js';
import { assertUnreachableError, backendUnavailable } from '../../../test/support/backend.js';

const url = process.env.LOOM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = { warn: () => {} };
// One admin connection for the reachability probe and key cleanup; fails fast instead of retrying.
const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
let lastError: Error | undefined;
admin.on('error', (err: Error) => (lastError = err));

async function reachable(): Promise<string | undefined> {
  try {
    await admin.connect();
    await admin.ping();
    return undefined;
  } catch (err) {
    return `Redis is not reachable at ${url} (${lastError?.message ?? (err as Error).message})`;
  }
}

/** Deletes every key of one test's prefix. */
const dropPrefix = (prefix: string): Promise<void> => dropKeys(admin, prefix);

function factory() {
  const prefix = `loom-test:${randomUUID()}:`;
  return { store: new RedisStore(url, { prefix, logger: silent }), cleanup: () => dropPrefix(prefix) };
}

const unreachable = await reachable();
if (unreachable) {
  backendUnavailable('redis adapter', 'Redis', unreachable, 'LOOM_TEST_REDIS_URL');
} else {
  after(() => admin.quit());
  storeContract('redis', async () => factory());
  leaseContract('redis', async () => {
    const { store, cleanup } = factory();
    return { leases: store.leases, cleanup: async () => (await store.close(), await cleanup()) };
  });
  redisSpecifics();
}

/** What the shared suites cannot see: client ownership, Redis settings, several clients on one prefix. */
function redisSpecifics(): void {
  const target = new URL(url);
  const hostPort = { host: target.hostname, port: Number(target.port || 6379) };
  const inv = (prefixTag: string, extra: Partial<NewInvocation> = {}): NewInvocation => ({
    id: `${prefixTag}-${randomUUID()}`, actorType: 'Spec', actorId: 'a1', method: 'm', argsJson: '[]', partition: 7, ttlMs: 60_000, ...extra,
  });

  describe('RedisStore on Redis', () => {
    it('leaves a client it was given open on close()', async () => {
      const prefix = `loom-test:${randomUUID()}:`;
      const client = new Redis(url);
      try {
        const store = new RedisStore(client, { prefix, logger: silent });
        await store.init();
        await store.close();
        assert.equal(await client.ping(), 'PONG');
      } finally {
        await client.quit();
        await dropPrefix(prefix);
      }
    });

    it('quits the client it created on close()', async () => {
      const prefix = `loom-test:${randomUUID()}:`;
      const connectionName = `loom-test-${randomUUID()}`;
      const store = new RedisStore({ ...hostPort, connectionName }, { prefix, logger: silent });
      await store.init();
      assert.match(String(await admin.client('LIST')), new RegExp(`name=${connectionName}`));
      await store.close();
      await sleep(50);
      assert.doesNotMatch(String(await admin.client('LIST')), new RegExp(`name=${connectionName}`));
      await dropPrefix(prefix);
    });

    it('warns once per process at init when Redis may evict keys or lose them on restart, through the runtime logger if the store has none', async () => {
      resetDurabilityWarnings();
      const [, policy] = (await admin.config('GET', 'maxmemory-policy')) as string[];
      const [, aof] = (await admin.config('GET', 'appendonly')) as string[];
      const warnings: string[] = [];
      const logger = { warn: (m: string) => warnings.push(m) };
      for (let i = 0; i < 2; i++) {
        const prefix = `loom-test:${randomUUID()}:`;
        const store = new RedisStore(url, { prefix });
        await store.init({ logger });
        await store.close();
        await dropPrefix(prefix);
      }
      assert.equal(warnings.some((w) => w.includes('noeviction')), policy !== 'noeviction', warnings.join('\n'));
      assert.equal(warnings.some((w) => w.includes('appendonly yes')), aof !== 'yes', warnings.join('\n'));
      assert.equal(new Set(warnings).size, warnings.length, 'no warning repeated');
    });

    it('fails init fast with a StoreError naming the address when Redis is unreachable', async () => {
      const port = await freePort();
      const store = new RedisStore(`redis://127.0.0.1:${port}`, { prefix: 'loom-test:unreachable:', logger: silent });
      const started = Date.now();
      await assertUnreachableError(store.init(), { where: new RegExp(`127\\.0\\.0\\.1:${port}`), advice: /Is Redis running/ });
      assert.ok(Date.now() - started < 5_000, 'no retry loop before the first connection');
      await store.close();
    });

    it('keeps every key under the prefix, after the client keyPrefix when it has one', async () => {
      const tag = randomUUID();
      const client = new Redis(url, { keyPrefix: `kp-${tag}:` });
      const prefix = `loom-test:${tag}:`;
      try {
        const store = new RedisStore(client, { prefix, logger: silent });
        await store.init();
        const a = inv('kp', { idempotencyKey: 'k' });
        await store.enqueue([a]);
        const lease = await store.leases.acquire(7, 'w', 60_000);
        assert.ok(lease);
        const [r] = await store.commit([{ partition: 7, epoch: lease.epoch, invocationId: a.id, state: { actorType: 'Spec', actorId: 'a1', stateJson: '1', expectedVersion: 0 }, resolve: [{ id: `promise:${a.id}#p`, valueJson: '1' }] }]);
        assert.equal(r?.outcome, 'ok');
        assert.equal((await store.getInvocation(a.id))?.started, true);
        assert.equal((await store.loadState('Spec', 'a1'))?.version, 1);
        assert.equal((await store.getPromise(`promise:${a.id}#p`))?.valueJson, '1');
        const keys = await admin.keys(`*${tag}*`);
        assert.ok(keys.length > 0);
        assert.deepEqual(keys.filter((k) => !k.startsWith(`kp-${tag}:${prefix}`)), []);
      } finally {
        await client.quit();
        await dropPrefix(`kp-${tag}:`);
      }
    });

    it('two stores on one prefix: concurrent turns on one actor commit once per state version, and a taken lease fences the other', async () => {
      const prefix = `loom-test:${randomUUID()}:`;
      const [one, two] = [new RedisStore(url, { prefix, logger: silent }), new RedisStore(url, { prefix, logger: silent })];
      try {
        await Promise.all([one.init(), two.init()]);
        const items = Array.from({ length: 40 }, () => inv('race'));
        await one.enqueue(items);
        const lease = await one.leases.acquire(7, 'w1', 60_000);
        assert.ok(lease);
        // Every turn expects version 0: exactly one may win, whichever client sends it.
        const turns = items.map((it) => ({ partition: 7, epoch: lease.epoch, invocationId: it.id, state: { actorType: 'Spec', actorId: 'a1', stateJson: JSON.stringify(it.id), expectedVersion: 0 } }));
        const results = (await Promise.all(turns.map((t, i) => (i % 2 ? one : two).commit([t])))).flat();
        assert.equal(results.filter((r) => r.outcome === 'ok').length, 1);
        assert.equal(results.filter((r) => r.outcome === 'conflict').length, items.length - 1);
        assert.equal((await two.loadState('Spec', 'a1'))?.version, 1);
        await one.leases.release(lease);
        const taken = await two.leases.acquire(7, 'w2', 60_000);
        assert.ok(taken && taken.epoch > lease.epoch);
        const [late] = await one.commit([{ ...turns[1]!, state: { actorType: 'Spec', actorId: 'a1', stateJson: '"late"', expectedVersion: 1 } }]);
        assert.equal(late?.outcome, 'fenced');
        assert.equal((await two.loadState('Spec', 'a1'))?.version, 1);
      } finally {
        await Promise.all([one.close(), two.close()]);
        await dropPrefix(prefix);
      }
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
