// WebAssembly actor figures: JSON round trips in-thread and through the worker pool,
// cold start of a new module on a warm pool, and a WASM actor against the same
// handler in TypeScript on SQLite. Prints one JSON line.
//   npm run build:wasm && npm run bench:wasm [-- --n 20000 --seconds 2]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Actor, ActorRuntime } from '../src/index.js';
import { silentLogger } from '../src/core/logger.js';
import { SqliteStore } from '../src/adapters/sqlite/index.js';
import { WasmActorRuntime, WorkerPool } from '../src/wasm/index.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '20000' }, actors: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '64' } } });
const N = Number(values.n);
const ACTOR_N = Number(values.actors);
const C = Number(values.concurrency);
const calc = readFileSync(join(process.cwd(), 'examples/wasm/build/calculator-actor.wasm'));
const hostile = readFileSync(join(process.cwd(), 'test/wasm/build/hostile.wasm'));
const err = (m: string): void => void process.stderr.write(`${m}\n`);

async function rate(n: number, concurrency: number, one: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await one(next++);
  }));
  return n / ((performance.now() - t0) / 1000);
}

/** The same module with a custom section, so the pool sees a module it has never loaded. */
function distinct(bytes: Uint8Array, i: number): Uint8Array {
  const name = Buffer.from(`b${String(i).padStart(6, '0')}`);
  return Buffer.concat([bytes, Buffer.from([0, name.length + 1, name.length]), name]);
}

const inThread = new WasmActorRuntime(calc, {}, { inThread: true });
await rate(2000, 1, (i) => inThread.execute('add', { a: i, b: 1 }));
const inThreadPerS = await rate(N, 1, (i) => inThread.execute('add', { a: i, b: 1 }));
err(`in-thread: ${inThreadPerS.toFixed(0)}/s`);

const pool = new WorkerPool();
const pooled = new WasmActorRuntime(calc, {}, { pool });
await rate(2000, C, (i) => pooled.execute('add', { a: i, b: 1 }));
const poolPerS = await rate(N, C, (i) => pooled.execute('add', { a: i, b: 1 }));
err(`pool (${pool.size} workers, ${C} in flight): ${poolPerS.toFixed(0)}/s`);

// Normal traffic while a guest loops into its deadline again and again on the same pool.
const looping = new WasmActorRuntime(hostile, { timeoutMs: 50 }, { pool });
let stop = false;
let kills = 0;
const attacker = (async () => {
  while (!stop) await looping.execute('loop', {}).catch(() => void kills++);
})();
const underAttackPerS = await rate(N, C, (i) => pooled.execute('add', { a: i, b: 1 }));
stop = true;
await attacker;
err(`pool with a looping guest killed ${kills} times meanwhile: ${underAttackPerS.toFixed(0)}/s`);

const cold: number[] = [];
for (let i = 0; i < 50; i++) {
  while (pool.idle < pool.size) await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  const rt = new WasmActorRuntime(distinct(calc, i), {}, { pool });
  await rt.execute('add', { a: 1, b: 2 });
  cold.push(performance.now() - t0);
  rt.close();
}
cold.sort((a, b) => a - b);
const coldP50 = cold[Math.floor(cold.length / 2)]!;
err(`cold start (compile + first call on a warm pool): p50 ${coldP50.toFixed(2)} ms`);
await pool.close();

class TsCalculator extends Actor {
  async add(input: { a: number; b: number }) {
    return { result: input.a + input.b };
  }
}
async function actorRate(register: (rt: ActorRuntime) => void, type: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'loom-bench-wasm-'));
  const rt = new ActorRuntime({ store: new SqliteStore({ path: join(dir, 'loom.db') }), logger: silentLogger });
  register(rt);
  await rt.start();
  const call = (i: number) => rt.call({ actorType: type, actorId: `a-${i % 100}`, method: 'add', args: [{ a: i, b: 1 }] });
  await rate(200, C, call);
  const r = await rate(ACTOR_N, C, call);
  await rt.stop();
  rmSync(dir, { recursive: true, force: true });
  return r;
}
const tsActorPerS = await actorRate((rt) => rt.register(TsCalculator), 'TsCalculator');
const wasmActorPerS = await actorRate((rt) => rt.registerWasm('WasmCalculator', calc), 'WasmCalculator');
err(`SQLite actor: TypeScript ${tsActorPerS.toFixed(0)}/s, WebAssembly ${wasmActorPerS.toFixed(0)}/s`);

console.log(JSON.stringify({
  system: 'loom', bench: 'wasm', n: N, concurrency: C,
  in_thread_per_s: Math.round(inThreadPerS),
  pool_per_s: Math.round(poolPerS),
  pool_under_hostile_per_s: Math.round(underAttackPerS),
  hostile_kills: kills,
  cold_start_p50_ms: Number(coldP50.toFixed(2)),
  sqlite_ts_actor_per_s: Math.round(tsActorPerS),
  sqlite_wasm_actor_per_s: Math.round(wasmActorPerS),
}));
