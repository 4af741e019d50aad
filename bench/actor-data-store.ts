// Actor data on the store alone: the cost of a one-append turn and of a read of a log's last 20
// entries (and of a one-key turn and a key read) when the actor already holds `size` entries and keys.
// The point of actor data is that these stay flat as the log grows (issue 18).
//
//   node --import tsx bench/actor-data-store.ts [--backend redis|postgres|sqlite|memory] [--sizes 10,10000] [--rounds 200]
//
// One JSON line per backend and size on stdout; medians in ms. Redis and PostgreSQL run when
// LOOM_BENCH_REDIS_URL / LOOM_BENCH_POSTGRES_URL are set (see README.md).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BACKENDS } from './backends.js';
import type { Store, TurnWrite } from '../src/ports/store.js';
import type { ActorDataWrite } from '../src/ports/actor-data.js';

const { values } = parseArgs({ options: { backend: { type: 'string' }, sizes: { type: 'string', default: '10,10000' }, rounds: { type: 'string', default: '200' } } });
const sizes = values.sizes.split(',').map(Number);
const rounds = Number(values.rounds);
const PARTITION = 3;
const BATCH = 100;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const entry = (i: number): string => JSON.stringify({ role: i % 2 ? 'assistant' : 'user', text: `message ${i} `.padEnd(200, '.') });

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return Number(median(ms).toFixed(3));
}

async function run(backend: string, store: Store): Promise<void> {
  const data = store.actorData!;
  const lease = await store.leases.acquire(PARTITION, `bench-${randomUUID()}`, 3_600_000);
  if (!lease) throw new Error(`partition ${PARTITION} is held by another owner`);
  const invocationId = `bench-${randomUUID()}`;
  await store.enqueue([{ id: invocationId, actorType: 'Agent', actorId: 'a', method: 'chat', argsJson: '[]', partition: PARTITION, ttlMs: 60_000 }]);
  const turn = (d: Omit<ActorDataWrite, 'actorType' | 'actorId'>): TurnWrite => ({ partition: PARTITION, epoch: lease.epoch, invocationId, data: { actorType: 'Agent', actorId: 'a', ...d } });
  const commit = async (turns: TurnWrite[]) => {
    for (const r of await store.commit(turns)) if (r.outcome !== 'ok') throw new Error(`a turn was ${r.outcome}`);
  };
  let entries = 0;
  let keys = 0;
  // Warm-up (connections, prepared statements, the JIT) on another log, so that the first size is not the slowest.
  for (let i = 0; i < 50; i++) await commit([turn({ logs: [{ name: 'warmup', append: [entry(i)] }] })]);
  for (let i = 0; i < 50; i++) await data.readLog('Agent', 'a', 'warmup', 30, 50);
  for (const size of sizes) {
    // Fills up to `size` entries and keys in batches of one-append, one-key turns (group commit).
    while (entries < size) {
      const n = Math.min(BATCH, size - entries);
      await commit(Array.from({ length: n }, (_, i) => turn({ logs: [{ name: 'chat', append: [entry(entries + i)] }], kv: [{ key: `k${keys + i}`, valueJson: '1' }] })));
      entries += n;
      keys += n;
    }
    const before = entries;
    const append = await timed(rounds, () => commit([turn({ logs: [{ name: 'chat', append: [entry(entries++)] }] })]));
    const setKey = await timed(rounds, (i) => commit([turn({ kv: [{ key: `k${i % keys}`, valueJson: String(i) }] })]));
    const { next } = await data.logBounds('Agent', 'a', 'chat');
    const readLast20 = await timed(rounds, () => data.readLog('Agent', 'a', 'chat', next - 20, next));
    const readKey = await timed(rounds, (i) => data.readKey('Agent', 'a', `k${i % keys}`));
    console.log(JSON.stringify({ backend, entries: before, keys, rounds, append_turn_ms: append, set_key_turn_ms: setKey, read_last_20_ms: readLast20, read_key_ms: readKey }));
  }
}

for (const b of BACKENDS.filter((x) => (values.backend ? x.name === values.backend : x.available()))) {
  const { store, cleanup } = await b.create();
  try {
    await store.init();
    if (store.actorData) await run(b.name, store);
    else console.error(`${b.name}: this store has no actorData capability; skipped`);
  } finally {
    await store.close();
    await cleanup();
  }
}
