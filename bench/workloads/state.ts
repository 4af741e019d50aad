// STATE: ms per sequential call that changes one small field of an actor's state, by the
// number of other items the state holds (default 10, 1,000, 10,000, 50,000; ~40 bytes each).
// Each variant is one way of keeping those items: add a row to VARIANTS to compare another.
import { performance } from 'node:perf_hooks';
import type { ActorRuntime } from '../../src/index.js';
import { check, round } from '../measure.js';
import { log, withRuntime, type RunConfig, type Fields } from '../harness.js';

export interface StateConfig extends RunConfig {
  /** Items in the state, one actor per size. */
  sizes: number[];
}

export const DEFAULT_SIZES = [10, 1000, 10_000, 50_000];

/** One way of holding `items` items and changing a counter beside them. */
export interface StateVariant {
  /** The column name in the output (`<name>_ms_<size>`). */
  name: string;
  /** Puts `items` items into actor `id`. */
  setup(runtime: ActorRuntime, id: string, items: number): Promise<void>;
  /** One call that changes the counter; resolves to the counter's new value. */
  call(runtime: ActorRuntime, id: string): Promise<number>;
}

const FILL_CHUNK = 5000;

/** Plain `this.state`: the whole state is read, serialized and written on every call. */
const plainState: StateVariant = {
  name: 'state',
  async setup(runtime, id, items) {
    for (let from = 0; from < items; from += FILL_CHUNK) {
      const count = Math.min(FILL_CHUNK, items - from);
      const held = await runtime.call<number>({ actorType: 'Big', actorId: id, method: 'fill', args: [count, from] });
      check(held === from + count, `Big ${id} holds ${held} items, expected ${from + count}`);
    }
  },
  call: (runtime, id) => runtime.call<number>({ actorType: 'Big', actorId: id, method: 'bump', args: [] }),
};

/** The items in `this.kv` (a key each) or in `this.log` (an entry each): a call writes what it changed alone. */
const dataVariant = (name: string, actorType: string): StateVariant => ({
  name,
  async setup(runtime, id, items) {
    for (let from = 0; from < items; from += FILL_CHUNK) {
      const count = Math.min(FILL_CHUNK, items - from);
      const held = await runtime.call<number>({ actorType, actorId: id, method: 'fill', args: [count, from] });
      check(held === from + count, `${actorType} ${id} holds ${held} items, expected ${from + count}`);
    }
  },
  call: (runtime, id) => runtime.call<number>({ actorType, actorId: id, method: 'bump', args: [] }),
});

/** A store without actor data (Cosmos DB) runs the plain-state row only. */
export const VARIANTS: readonly StateVariant[] = [plainState, dataVariant('kv', 'BigKv'), dataVariant('log', 'BigLog')];

export async function stateSizes(cfg: StateConfig): Promise<Fields> {
  return withRuntime(cfg.backend, {}, async (runtime) => {
    const fields: Fields = { calls_per_size: cfg.n };
    const rows: string[] = [];
    for (const variant of VARIANTS) {
      if (variant !== plainState && !runtime.store.actorData) continue;
      for (const size of cfg.sizes) {
        const id = `${variant.name}-${size}`;
        await variant.setup(runtime, id, size);
        const warm = Math.min(cfg.warmup, cfg.n);
        for (let i = 0; i < warm; i++) await variant.call(runtime, id);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        let last = 0;
        for (let i = 0; i < cfg.n; i++) last = await variant.call(runtime, id);
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        check(last === warm + cfg.n, `${variant.name} ${id}: counter is ${last}, expected ${warm + cfg.n}`);
        fields[`${variant.name}_ms_${size}`] = round(ms / cfg.n, 3);
        fields[`${variant.name}_cpu_ms_${size}`] = round((cpu.user + cpu.system) / 1000 / cfg.n, 3);
        rows.push(`${variant.name.padEnd(10)} ${String(size).padStart(7)} items: ${(ms / cfg.n).toFixed(3).padStart(9)} ms/call, CPU ${((cpu.user + cpu.system) / 1000 / cfg.n).toFixed(3)} ms/call`);
      }
    }
    log(`STATE ${cfg.backend.name} (${cfg.n} sequential calls per size):\n${rows.join('\n')}`);
    return fields;
  });
}
