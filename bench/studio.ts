// Loom Studio over a SQLite store holding 100,000 invocations: first paint of the
// invocations list in chromium, the list API's latency, how many store queries an
// open live view costs (idle and with a worker busy), and how soon a change reaches
// an open view.
//   npm run bench:studio -- [--invocations 100000] [--seconds 20] [--paint-runs 9] [--paint-only] [--ui studio/dist] [--cpu-slowdown 1]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measurePaint, paintReport } from './studio-paint.js';
import { Actor, ActorRuntime } from '../src/index.js';
import { SqliteStore } from '../src/adapters/sqlite/index.js';
import { partitionOf } from '../src/core/ids.js';
import { silentLogger } from '../src/core/logger.js';
import { startStudio } from '../src/studio/index.js';

const { values } = parseArgs({ options: { invocations: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '20' }, 'paint-runs': { type: 'string', default: '9' }, 'paint-only': { type: 'boolean', default: false }, ui: { type: 'string', default: 'studio/dist' }, 'cpu-slowdown': { type: 'string', default: '1' } } });
const N = Number(values.invocations);
const SECONDS = Number(values.seconds);
const PAINT_RUNS = Number(values['paint-runs']);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add(k: number) { this.state.n += k; return this.state.n; }
}
class Broken extends Actor {
  static config = { retryPolicy: { maxAttempts: 1 } };
  async run() { throw Object.assign(new Error('broken'), { code: 'BROKEN' }); }
}
class Sleeper extends Actor {
  async nap() { await this.sleep('1h'); }
}

const dir = mkdtempSync(join(tmpdir(), 'loom-bench-studio-'));
const path = join(dir, 'loom.db');
try {
  // Seed: N invocations enqueued and completed through the store's own fenced commits (as a worker
  // holding every partition would), then 1,000 dead letters and 50 sleepers made by a real worker.
  const seedStore = new SqliteStore({ path, synchronous: 'NORMAL' });
  await seedStore.init();
  const t0 = Date.now();
  const epochs = new Map<number, number>();
  for (let p = 0; p < 64; p++) epochs.set(p, (await seedStore.leases.acquire(p, 'bench-seed', 60_000))!.epoch);
  for (let i = 0; i < N; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, N - i) }, (_, j) => {
      const actorId = `c-${(i + j) % 1000}`;
      return { id: `seed-${i + j}`, actorType: 'Counter', actorId, method: 'add', argsJson: '[1]', partition: partitionOf('Counter', actorId, 64), ttlMs: 86_400_000 };
    });
    await seedStore.enqueue(batch);
    await seedStore.commit(batch.map((inv) => ({
      partition: inv.partition, epoch: epochs.get(inv.partition)!, invocationId: inv.id,
      transition: { status: 'completed' as const, resultJson: '1', expiresAt: Date.now() + 86_400_000 },
    })));
  }
  for (const [partition, epoch] of epochs) await seedStore.leases.release({ partition, epoch, owner: 'bench-seed', expiresAt: 0 });
  await seedStore.close();
  const worker = new ActorRuntime({ store: new SqliteStore({ path, synchronous: 'NORMAL' }), pollIntervalMs: 50, logger: silentLogger })
    .register(Counter).register(Broken).register(Sleeper);
  await worker.start();
  const countStore = new SqliteStore({ path });
  await countStore.init();
  await Promise.all(Array.from({ length: 1000 }, (_, i) => worker.send({ actorType: 'Broken', actorId: `b-${i}`, method: 'run', args: [] })));
  await Promise.all(Array.from({ length: 50 }, (_, i) => worker.send({ actorType: 'Sleeper', actorId: `s-${i}`, method: 'nap', args: [] })));
  while ((await countStore.admin.countInvocations({ statuses: ['dead'] })) < 1000) await sleep(200);
  await countStore.close();
  const total = N + 1050;
  console.log(`seeded ${total.toLocaleString()} invocations (${N.toLocaleString()} completed, 1,000 dead letters, 50 sleeping) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const studio = await startStudio({ store: new SqliteStore({ path }), port: 0, audit: join(dir, 'audit.jsonl'), uiDir: resolve(values.ui) });

  // The list API, first page of 50 per tab.
  const api: string[] = [];
  for (const tab of ['all', 'not-running', 'dead']) {
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s = performance.now();
      const res = await fetch(new URL(`/api/invocations?tab=${tab}&limit=50`, studio.url));
      await res.json();
      ms.push(performance.now() - s);
    }
    api.push(`${tab} ${median(ms).toFixed(1)} ms`);
  }
  console.log(`GET /api/invocations, first page of 50 (median of 20): ${api.join(', ')}`);
  for (const path of ['/api/overview', '/api/invocations-count?tab=all', '/api/invocations-count?tab=dead']) {
    const ms: number[] = [];
    for (let i = 0; i < 10; i++) {
      const s = performance.now();
      await (await fetch(new URL(path, studio.url))).json();
      ms.push(performance.now() - s);
    }
    console.log(`GET ${path} (median of 10): ${median(ms).toFixed(1)} ms`);
  }

  // First paint in chromium, cold loads (no HTTP cache): the browser's paint entries and the first row of the list.
  const slowdown = Number(values['cpu-slowdown']);
  console.log(`Studio in chromium, ${total.toLocaleString()} in the store, median of ${PAINT_RUNS} cold loads of #/invocations${slowdown > 1 ? `, CPU slowed ${slowdown}x` : ''}:`);
  for (const line of paintReport(await measurePaint(`${studio.url}#/invocations`, PAINT_RUNS, slowdown))) console.log(`  ${line}`);
  if (!values['paint-only']) await liveCost();
  await studio.close();
  await worker.stop();

  async function liveCost(): Promise<void> {
    // Live cost: store queries per second of each open view, then of all of them together, idle and busy.
    const views = ['view=invocations&tab=all', 'view=invocations&tab=not-running', 'view=invocation&id=seed-5', 'view=actor&type=Counter&id=c-1', 'view=partitions'];
    const measure = async (open: string[], load?: () => Promise<void>): Promise<number> => {
      const streams = await Promise.all(open.map((v) => stream(new URL(`/api/live?${v}`, studio.url).href)));
      await Promise.all(streams.map((x) => x.next(() => true)));
      const before = studio.storeQueries;
      const s = Date.now();
      let stop = false;
      const busy = load ? (async () => { while (!stop) await load(); })() : undefined;
      await sleep(SECONDS * 1000);
      stop = true;
      await busy;
      const perView = (studio.storeQueries - before) / ((Date.now() - s) / 1000) / open.length;
      streams.forEach((x) => x.close());
      await sleep(200);
      return perView;
    };
    let k = 0;
    const traffic = async () => {
      await worker.call({ actorType: 'Counter', actorId: `c-${k++ % 1000}`, method: 'add', args: [1] });
      await sleep(10);
    };
    console.log(`store queries per second per open view, over ${SECONDS} s (forced refreshes included):`);
    console.log('| open view | idle | worker busy (~100 calls/s) |');
    console.log('|---|---|---|');
    for (const v of views) console.log(`| ${v} | ${(await measure([v])).toFixed(2)} | |`);
    console.log(`| all five at once, per view | ${(await measure(views)).toFixed(2)} | ${(await measure(views, traffic)).toFixed(2)} |`);

    // Latency: a committed change to the first update on an open actor view.
    const lat: number[] = [];
    const s = await stream(new URL('/api/live?view=actor&type=Counter&id=c-7', studio.url).href);
    await s.next(() => true);
    for (let i = 0; i < 10; i++) {
      const n = await worker.call<number>({ actorType: 'Counter', actorId: 'c-7', method: 'add', args: [1] });
      const at = performance.now();
      await s.next((d) => (d as { state: { n: number } }).state.n === n);
      lat.push(performance.now() - at);
      await sleep(Math.random() * 1000);
    }
    s.close();
    console.log(`change to open view (actor state, 10 samples): median ${median(lat).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function stream(url: string): Promise<{ next: (match: (d: unknown) => boolean) => Promise<unknown>; close: () => void }> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  let latest: unknown[] = [];
  let wake: (() => void) | undefined;
  void (async () => {
    let buf = '';
    const dec = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: update') && data) { latest.push(JSON.parse(data.slice(6))); wake?.(); }
        }
      }
    } catch { /* closed */ }
  })();
  return {
    next: async (match) => {
      for (;;) {
        const hit = latest.find(match);
        if (hit !== undefined) { latest = []; return hit; }
        await new Promise<void>((r) => { wake = r; });
      }
    },
    close: () => abort.abort(),
  };
}
