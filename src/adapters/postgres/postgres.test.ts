import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ConfigError, StoreError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { unlessFailed, type NewInvocation, type TurnWrite } from '../../ports/store.js';
import type { Lease } from '../../ports/lease.js';
import { leaseContract, storeContract } from '../../testing/index.js';
import { PostgresStore } from './store.js';
import { migrations } from './migrations/index.js';
import { adminPool, postgresUrl, unreachable as whyUnreachable } from '../../../test/support/postgres.js';
import { assertUnreachableError, backendUnavailable } from '../../../test/support/backend.js';

const url = postgresUrl;
const admin = adminPool();
const reachable = (): Promise<string | undefined> => whyUnreachable(admin);

const newSchema = () => `loom_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const dropSchema = (schema: string) => admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).then(() => undefined);

/** A store on a fresh schema holding a lease on partition 7, with every statement its pool sends recorded in `sent`. */
async function withRecordedStatements(body: (t: { store: PostgresStore; schema: string; lease: Lease; sent: string[] }) => Promise<void>): Promise<void> {
  const schema = newSchema();
  const pool = new pg.Pool({ connectionString: url });
  const store = new PostgresStore(pool, { schema, logger: silentLogger });
  try {
    await store.init();
    const lease = await store.leases.acquire(7, 'w', 60_000);
    assert.ok(lease);
    const sent: string[] = [];
    // Every statement goes through a client of the pool, whether sent with pool.query or on a checked-out client.
    const recording = new WeakSet<object>();
    pool.on('acquire', (client) => {
      if (recording.has(client)) return;
      recording.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const q = args[0] as string | { text: string };
        sent.push(typeof q === 'string' ? q : q.text);
        return query(...args);
      };
    });
    await body({ store, schema, lease, sent });
  } finally {
    await store.close();
    await pool.end();
    await dropSchema(schema);
  }
}

function factory(schema = newSchema()) {
  return { store: new PostgresStore(url, { schema, logger: silentLogger }), cleanup: () => dropSchema(schema) };
}

const unreachable = await reachable();
if (unreachable) {
  backendUnavailable('postgres adapter', 'PostgreSQL', unreachable, 'LOOM_TEST_POSTGRES_URL');
  after(() => admin.end());
} else {
  after(() => admin.end());
  storeContract('postgres', async () => factory());
  leaseContract('postgres', async () => {
    const { store, cleanup } = factory();
    await store.init();
    return { leases: store.leases, cleanup: async () => (await store.close(), await cleanup()) };
  });
  postgresSpecifics();
}

/** What the shared suites cannot see: pool ownership, migrations, several stores racing on one schema. */
function postgresSpecifics(): void {
  const inv = (extra: Partial<NewInvocation> = {}): NewInvocation => ({
    id: randomUUID(), actorType: 'Spec', actorId: 'a1', method: 'm', argsJson: '[]', partition: 7, ttlMs: 60_000, ...extra,
  });
  /** Runs `body` with `n` stores on one fresh, migrated schema, then closes them and drops it. */
  async function withStores(n: number, body: (stores: PostgresStore[]) => Promise<void>): Promise<void> {
    const schema = newSchema();
    const stores = Array.from({ length: n }, () => new PostgresStore(url, { schema, logger: silentLogger }));
    try {
      await Promise.all(stores.map((s) => s.init()));
      await body(stores);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    }
  }

  describe('PostgresStore on PostgreSQL', () => {
    it('leaves a pool it was given open on close(), and ends the one it created', async () => {
      const schema = newSchema();
      const pool = new pg.Pool({ connectionString: url });
      try {
        const given = new PostgresStore(pool, { schema, logger: silentLogger });
        await given.init();
        await given.close();
        assert.equal((await pool.query('SELECT 1 AS one')).rows[0]?.one, 1);
        const own = new PostgresStore(url, { schema, logger: silentLogger });
        await own.init();
        await own.close();
        await assert.rejects(own.now(), StoreError);
      } finally {
        await pool.end();
        await dropSchema(schema);
      }
    });

    it('several stores initializing one schema at once apply each migration exactly once', async () => {
      await withStores(6, async ([store]) => {
        const schema = (store as unknown as { schema: string }).schema;
        const rows = await admin.query<{ version: number }>(`SELECT version FROM ${schema}.loom_migrations ORDER BY version`);
        assert.deepEqual(rows.rows.map((r) => r.version), migrations.map((m) => m.version));
      });
    });

    it('rejects a schema name that is not a plain identifier', () => {
      assert.throws(() => new PostgresStore(url, { schema: 'loom; DROP TABLE x' }), ConfigError);
    });

    it('fails with a StoreError naming the address when PostgreSQL is unreachable', async () => {
      const port = await freePort();
      const store = new PostgresStore({ host: '127.0.0.1', port, user: 'postgres', database: 'test', connectionTimeoutMillis: 2_000 }, { logger: silentLogger });
      await assertUnreachableError(store.init(), { where: new RegExp(`127\\.0\\.0\\.1:${port}`), advice: /Is PostgreSQL running/ });
      await store.close();
    });

    it('tells to call init() when the tables are missing', async () => {
      const { store, cleanup } = factory();
      try {
        await assert.rejects(store.getInvocation('x'), /store\.init\(\)/);
      } finally {
        await store.close();
        await cleanup();
      }
    });

    it('commits a batch of 500 turns in one transaction', async () => {
      await withStores(1, async ([store]) => {
        const items = Array.from({ length: 500 }, (_, i) => inv({ actorId: `a${i}` }));
        await store!.enqueue(items);
        const lease = await store!.leases.acquire(7, 'w', 60_000);
        assert.ok(lease);
        const results = await store!.commit(items.map((it) => ({
          partition: 7, epoch: lease.epoch, invocationId: it.id,
          state: { actorType: 'Spec', actorId: it.actorId, stateJson: '1', expectedVersion: 0 },
          transition: { status: 'completed', resultJson: '1', expiresAt: Date.now() + 60_000 },
        })));
        assert.ok(results.every((r) => r.outcome === 'ok'));
        const schema = (store as unknown as { schema: string }).schema;
        const xids = await admin.query(`SELECT count(DISTINCT xmin::text) AS n FROM ${schema}.invocations`);
        assert.equal(Number(xids.rows[0]?.n), 1, 'every row written by one transaction');
      });
    });

    it('sends a whole commit batch, an enqueue batch and a resolution as one statement each', async () => {
      await withRecordedStatements(async ({ store, lease, sent }) => {
        const items = Array.from({ length: 50 }, (_, i) => inv({ actorId: `a${i}`, idempotencyKey: 'k' }));
        const enqueued = await store.enqueue([...items, items[0]!]);
        assert.deepEqual(enqueued.map((r) => r.duplicate), [...items.map(() => false), true]);
        const results = await store.commit(items.map((it, i) => ({
          partition: 7, epoch: lease.epoch, invocationId: it.id,
          journal: [{ seq: 0, kind: 'step', name: 's', status: 'done', valueJson: '1' }],
          state: { actorType: 'Spec', actorId: it.actorId, stateJson: '1', expectedVersion: 0 },
          outbox: [inv({ actorId: `b${i}` })],
          resolve: [{ id: `promise:${it.id}#p`, valueJson: '2' }],
        })));
        assert.ok(results.every((r) => r.outcome === 'ok' && r.enqueued.length === 1 && !r.enqueued[0]!.duplicate));
        assert.equal(await store.resolvePromise({ id: `promise:${items[0]!.id}#q`, valueJson: '3' }), true);
        assert.equal(sent.length, 3, sent.join('\n'));
        assert.equal((await store.loadJournal(items[1]!.id)).length, 1);
        assert.equal((await store.getPromise(`promise:${items[1]!.id}#p`))?.valueJson, '2');
      });
    });

    it('sends a write of enqueues and turns as one statement, one transaction', async () => {
      await withRecordedStatements(async ({ store, schema, lease, sent }) => {
        const items = Array.from({ length: 20 }, (_, i) => inv({ actorId: `a${i}` }));
        const out = await store.write(items, items.map((it) => ({
          partition: 7, epoch: lease.epoch, invocationId: it.id,
          state: { actorType: 'Spec', actorId: it.actorId, stateJson: '1', expectedVersion: 0 },
          transition: { status: 'completed', resultJson: '1', expiresAt: Date.now() + 60_000 },
          outbox: [inv({ actorId: `b-${it.actorId}` })],
        })));
        assert.ok(unlessFailed(out.enqueued).every((r) => !r.duplicate));
        assert.ok(unlessFailed(out.committed).every((r) => r.outcome === 'ok' && r.enqueued.length === 1));
        assert.equal(sent.length, 1, sent.join('\n'));
        const xids = await admin.query(`SELECT count(DISTINCT xmin::text) AS n FROM ${schema}.invocations`);
        assert.equal(Number(xids.rows[0]?.n), 1, 'every row written by one transaction');
        assert.equal((await admin.query(`SELECT count(*) AS n FROM ${schema}.invocations`)).rows[0]?.n, '40');
      });
    });

    it('writes correctly when the server\'s default isolation is not READ COMMITTED', async () => {
      const schema = newSchema();
      const pool = new pg.Pool({ connectionString: url, options: '-c default_transaction_isolation=serializable' });
      const store = new PostgresStore(pool, { schema, logger: silentLogger });
      try {
        await store.init();
        const lease = await store.leases.acquire(7, 'w', 60_000);
        assert.ok(lease);
        const [it] = await store.enqueue([inv()]);
        assert.ok(it && !it.duplicate);
        const promise = `promise:${it.record.id}#p`;
        const [suspended] = await store.commit([{ partition: 7, epoch: lease.epoch, invocationId: it.record.id, transition: { status: 'pending', attempt: 0, waitingOn: promise } }]);
        assert.equal(suspended?.outcome, 'ok');
        assert.equal(await store.resolvePromise({ id: promise, valueJson: '1' }), true);
        assert.equal(await store.resolvePromise({ id: promise, valueJson: '2' }), false);
        const woken = await store.getInvocation(it.record.id);
        assert.equal(woken?.waitingOn, undefined);
        assert.ok(woken && woken.wakeSeq > it.record.wakeSeq);
        const [stale] = await store.commit([{ partition: 7, epoch: lease.epoch + 1, invocationId: it.record.id }]);
        assert.equal(stale?.outcome, 'fenced');
        const next = inv();
        const written = await store.write([next], [{ partition: 7, epoch: lease.epoch, invocationId: next.id, transition: { status: 'completed', resultJson: '1', expiresAt: Date.now() + 60_000 } }]);
        assert.deepEqual(written.committed, [{ outcome: 'ok', enqueued: [] }]);
        assert.equal((await store.getInvocation(next.id))?.status, 'completed');
      } finally {
        await store.close();
        await pool.end();
        await dropSchema(schema);
      }
    });

    it('a batch racing a new owner for its partition is either wholly committed or wholly fenced', async () => {
      await withStores(2, async ([old, next]) => {
        const items = Array.from({ length: 200 }, (_, i) => inv({ actorId: `a${i}` }));
        await old!.enqueue(items);
        const lease = await old!.leases.acquire(7, 'old', 100);
        assert.ok(lease);
        await sleep(120);
        const turns: TurnWrite[] = items.map((it) => ({ partition: 7, epoch: lease.epoch, invocationId: it.id, journal: [{ seq: 0, kind: 'now', name: 'n', status: 'done', valueJson: '1' }] }));
        const [results, taken] = await Promise.all([old!.commit(turns), sleep(2).then(() => next!.leases.acquire(7, 'next', 60_000))]);
        assert.ok(taken && taken.epoch > lease.epoch);
        assert.equal(new Set(results.map((r) => r.outcome)).size, 1, `outcomes ${[...new Set(results.map((r) => r.outcome))].join(', ')}`);
        const [late] = await old!.commit([turns[0]!]);
        assert.equal(late?.outcome, 'fenced');
      });
    });

    it('a resolution racing a suspension on the same promise never leaves the invocation waiting', async () => {
      await withStores(2, async ([worker, resolver]) => {
        const lease = await worker!.leases.acquire(7, 'w', 60_000);
        assert.ok(lease);
        const items = Array.from({ length: 100 }, () => inv());
        await worker!.enqueue(items);
        await Promise.all(items.map(async (it, i) => {
          const promise = `promise:${it.id}#p`;
          await Promise.all([
            worker!.commit([{ partition: 7, epoch: lease.epoch, invocationId: it.id, transition: { status: 'pending', attempt: 0, waitingOn: promise } }]),
            sleep(i % 3).then(() => resolver!.resolvePromise({ id: promise, valueJson: '1' })),
          ]);
        }));
        const stuck = (await worker!.pollPending([7], 0, 1000)).filter((r) => r.waitingOn !== undefined);
        assert.deepEqual(stuck.map((r) => r.id), []);
      });
    });

    it('two stores committing turns on one actor commit once per state version', async () => {
      await withStores(2, async ([one, two]) => {
        const items = Array.from({ length: 40 }, () => inv());
        await one!.enqueue(items);
        const lease = await one!.leases.acquire(7, 'w', 60_000);
        assert.ok(lease);
        const turns = items.map((it) => ({ partition: 7, epoch: lease.epoch, invocationId: it.id, state: { actorType: 'Spec', actorId: 'a1', stateJson: JSON.stringify(it.id), expectedVersion: 0 } }));
        const results = (await Promise.all(turns.map((t, i) => (i % 2 ? one : two)!.commit([t])))).flat();
        assert.equal(results.filter((r) => r.outcome === 'ok').length, 1);
        assert.equal(results.filter((r) => r.outcome === 'conflict').length, items.length - 1);
        assert.equal((await two!.loadState('Spec', 'a1'))?.version, 1);
      });
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
