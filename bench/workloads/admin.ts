// ADMIN: listing and counting invocations out of a large store, as `loom invocations list` and Studio do.
import { LoomClient } from '../../src/admin/client.js';
import type { AdminFilter } from '../../src/admin/types.js';
import { silentLogger } from '../../src/core/logger.js';
import { countQueries } from '../../src/studio/counting.js';
import type { NewInvocation, Store, TurnWrite } from '../../src/ports/store.js';
import { log, type Fields, type RunConfig } from '../harness.js';

const BATCH = 1000;
const REPS = 15;

/**
 * Seeds n invocations straight into the store (a third completed, 2 % dead with an
 * error code, the rest pending over 1,000 actors of 5 types), then times the first
 * page of 50 of several filters, each REPS times, and reports the medians in ms:
 * `store_first_page_ms` is the store's index read alone, the others go through
 * `LoomClient` and include each pending invocation's waiting reason. `*_calls`
 * are the store calls one such page makes.
 */
export async function admin(cfg: RunConfig): Promise<Fields> {
  const { store, cleanup } = await cfg.backend.create();
  await store.init();
  try {
    const seeded = Date.now();
    await seed(store, cfg.n);
    log(`seeded ${cfg.n} invocations in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
    const client = new LoomClient({ store, partitions: 1, logger: silentLogger });
    const cases: [string, () => Promise<unknown>][] = [
      ['store_first_page_ms', () => store.admin!.listInvocations({ filter: {}, limit: 50, newest: true })],
      ['first_page_ms', () => client.listInvocations({ limit: 50 })],
      ['pending_page_ms', () => client.listInvocations({ filter: { status: 'pending' }, limit: 50 })],
      ['dead_page_ms', () => client.listInvocations({ filter: { status: 'dead' }, limit: 50 })],
      ['type_page_ms', () => client.listInvocations({ filter: { actorType: 'T3' }, limit: 50 })],
      ['actor_page_ms', () => client.listInvocations({ filter: { actorType: 'T3', actorId: 'a3' }, limit: 50 })],
      ['error_page_ms', () => client.listInvocations({ filter: { errorCode: 'POISON' }, limit: 50 })],
      ['oldest_page_ms', () => client.listInvocations({ limit: 50, order: 'oldest' })],
      ['count_dead_ms', () => client.countInvocations({ status: 'dead' } as AdminFilter)],
    ];
    const out: Fields = {};
    for (const [name, fn] of cases) {
      await fn();
      const times: number[] = [];
      for (let i = 0; i < REPS; i++) {
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      out[name] = Number(times[Math.floor(times.length / 2)]!.toFixed(2));
    }
    // Store calls per page (as Studio counts them), the same on a loaded machine or an idle one.
    const counted = countQueries(store);
    const countingClient = new LoomClient({ store: counted.store, partitions: 1, logger: silentLogger });
    for (const [name, fn] of [
      ['first_page_calls', () => countingClient.listInvocations({ limit: 50 })],
      ['pending_page_calls', () => countingClient.listInvocations({ filter: { status: 'pending' }, limit: 50 })],
    ] as const) {
      await fn();
      const before = counted.count;
      await fn();
      out[name] = counted.count - before;
    }
    return out;
  } finally {
    await store.close().catch(() => {});
    await cleanup();
  }
}

async function seed(store: Store, n: number): Promise<void> {
  const lease = await store.leases.acquire(0, 'bench-admin', 600_000);
  if (!lease) throw new Error('could not take partition 0 to seed the store');
  const now = await store.now();
  for (let base = 0; base < n; base += BATCH) {
    const items: NewInvocation[] = [];
    for (let i = base; i < Math.min(n, base + BATCH); i++) {
      items.push({ id: `inv-${i}`, actorType: `T${i % 5}`, actorId: `a${i % 1000}`, method: 'run', argsJson: '[]', partition: 0, ttlMs: 86_400_000 });
    }
    await store.enqueue(items);
    const turns: TurnWrite[] = [];
    for (const it of items) {
      const i = Number(it.id.slice(4));
      if (i % 3 === 0) turns.push({ partition: 0, epoch: lease.epoch, invocationId: it.id, transition: { status: 'completed', resultJson: '1', expiresAt: now + 86_400_000 } });
      else if (i % 50 === 1) turns.push({ partition: 0, epoch: lease.epoch, invocationId: it.id, transition: { status: 'dead', attempt: 3, error: { name: 'Error', message: 'poison', code: 'POISON' }, expiresAt: now + 86_400_000 } });
    }
    if (turns.length) await store.commit(turns);
  }
}
