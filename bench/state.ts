// Actor data benchmarks (issue 18): what a turn costs as an actor's data grows.
//
//   npx tsc -p tsconfig.bench.json && node dist-bench/bench/state.js [--backend sqlite] [--turns 10000] [--only W4|STATE]
//
// W4: an agent appends one 2 KB message per turn (this.log('messages').append) and reads the
//     last 20 each turn, up to --turns turns, one turn after another. Prints the per-turn time
//     (median of 20 turns) near turn 10 and near the last turn, and their ratio; then the paired
//     figures: turns 1–20 of 20 fresh agents alternated with 400 more turns of the long agent.
// STATE: ms per call of a counter increment on an actor holding 10 / 1,000 / 10,000 / 50,000
//     items (~100 B each): in this.state (the whole state is written every turn), in this.kv
//     (one key per item; the turn writes one key) and in this.log (one entry per item; the turn
//     appends one).
// Backends as in bench/backends.ts: memory and sqlite always; redis and postgres when
// LOOM_BENCH_REDIS_URL / LOOM_BENCH_POSTGRES_URL are set. A store without actor data is skipped.
import { ActorRuntime, Actor } from '../src/index.js';
import { silentLogger } from '../src/core/logger.js';
import { BACKENDS, type Backend } from './backends.js';

class Agent extends Actor {
  async turn(message: string) {
    const messages = this.log<string>('messages');
    messages.append(message);
    const last = await messages.last(20);
    return last.length;
  }
}

const item = (i: number) => ({ id: i, text: `item ${i} `.padEnd(80, '.') });

class InState extends Actor<{ n: number; items: unknown[] }> {
  static initialState = { n: 0, items: [] as unknown[] };
  async seed(from: number, to: number) {
    for (let i = from; i < to; i++) this.state.items.push(item(i));
  }
  async bump() {
    this.state.n += 1;
    return this.state.n;
  }
}

class InKv extends Actor {
  async seed(from: number, to: number) {
    for (let i = from; i < to; i++) this.kv.set(`item:${i}`, item(i));
  }
  async bump() {
    const n = ((await this.kv.get<number>('n')) ?? 0) + 1;
    this.kv.set('n', n);
    return n;
  }
}

class InLog extends Actor {
  async seed(from: number, to: number) {
    for (let i = from; i < to; i++) this.log('items').append(item(i));
  }
  async bump() {
    this.log('items').append(item(-1));
    return 1;
  }
}

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const turns = Number(flag('--turns') ?? 10_000);
const only = flag('--only');
const backendName = flag('--backend');
const backends = BACKENDS.filter((b) => (backendName ? b.name === backendName : b.available()));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 1000) / 1000;

async function withRuntime<T>(backend: Backend, fn: (rt: ActorRuntime) => Promise<T>): Promise<T | undefined> {
  const { store, cleanup } = await backend.create();
  if (!store.actorData) {
    process.stderr.write(`[bench] ${backend.name}: the store has no actor data; skipped\n`);
    await cleanup();
    return undefined;
  }
  const rt = new ActorRuntime({ store, logger: silentLogger });
  rt.register(Agent).register(InState).register(InKv).register(InLog);
  try {
    await rt.start();
    return await fn(rt);
  } finally {
    await rt.stop();
    await cleanup();
  }
}

async function w4(backend: Backend): Promise<void> {
  const message = 'm'.repeat(2000);
  await withRuntime(backend, async (rt) => {
    // Warm the code paths on another agent, so turn 10 of the measured one does not pay for JIT.
    for (let i = 0; i < 300; i++) await rt.call({ actorType: 'Agent', actorId: 'warm', method: 'turn', args: [message] });
    const times: number[] = [];
    for (let i = 1; i <= turns; i++) {
      const t0 = performance.now();
      const got = await rt.call<number>({ actorType: 'Agent', actorId: 'agent', method: 'turn', args: [message] });
      times.push(performance.now() - t0);
      if (got !== Math.min(i, 20)) throw new Error(`turn ${i} read ${got} messages, expected ${Math.min(i, 20)}`);
      if (i % 2000 === 0) process.stderr.write(`[bench] ${backend.name} W4: turn ${i}\n`);
    }
    // Paired: turns 1–20 of 20 fresh agents, each alternated with a turn of the long agent (past turn `turns`),
    // so that both see the same machine load; on a shared machine that load drifts over a long run.
    const fresh: number[] = [];
    const old: number[] = [];
    const timed = async (actorId: string, into: number[]) => {
      const t0 = performance.now();
      await rt.call({ actorType: 'Agent', actorId, method: 'turn', args: [message] });
      into.push(performance.now() - t0);
    };
    for (let a = 0; a < 20; a++) {
      for (let k = 0; k < 20; k++) {
        await timed(`fresh-${a}`, fresh);
        await timed('agent', old);
      }
    }
    const early = median(times.slice(0, 20));
    const late = median(times.slice(-20));
    const mid = median(times.slice(Math.floor(turns / 2) - 10, Math.floor(turns / 2) + 10));
    console.log(JSON.stringify({ system: 'loom', backend: backend.name, workload: 'W4', turns, near_turn_10_ms: round(early), near_mid_ms: round(mid), near_last_turn_ms: round(late), ratio: round(late / early),
      paired_turns_1_20_ms: round(median(fresh)), paired_turns_after_last_ms: round(median(old)), paired_ratio: round(median(old) / median(fresh)) }));
  });
}

async function stateTable(backend: Backend): Promise<void> {
  const sizes = [10, 1_000, 10_000, 50_000];
  const calls = 200;
  const rows: string[] = [];
  // A fresh store per holder: the WAL and pages a large this.state leaves behind must not weigh on the next one.
  for (const type of ['InState', 'InKv', 'InLog']) {
    await withRuntime(backend, async (rt) => {
      const cells: string[] = [];
      for (const size of sizes) {
        const actorId = `${type}-${size}`;
        for (let from = 0; from < size; from += 1000) await rt.call({ actorType: type, actorId, method: 'seed', args: [from, Math.min(size, from + 1000)] });
        for (let i = 0; i < 20; i++) await rt.call({ actorType: type, actorId, method: 'bump' });
        const t0 = performance.now();
        for (let i = 0; i < calls; i++) await rt.call({ actorType: type, actorId, method: 'bump' });
        const ms = (performance.now() - t0) / calls;
        cells.push(ms.toFixed(2));
        console.log(JSON.stringify({ system: 'loom', backend: backend.name, workload: 'STATE', holder: type, items: size, ms_per_call: round(ms) }));
      }
      rows.push(`| ${backend.name} | ${type === 'InState' ? 'this.state' : type === 'InKv' ? 'this.kv' : 'this.log'} | ${cells.join(' | ')} |`);
    });
  }
  process.stderr.write(['', `| backend | items in | ${sizes.map((s) => s.toLocaleString('en')).join(' | ')} |`, '|---|---|---|---|---|---|', ...rows, ''].join('\n'));
}

for (const b of backends) {
  if (only !== 'STATE') await w4(b);
  if (only !== 'W4') await stateTable(b);
}
