// W2R: W2's counters under a read-heavy mix, with `concurrency` per actor id.
// n calls spread round-robin over `keys` counters (default 100, as W2), `reads` percent
// of them `Counter.get` (an ordinary, journaled handler that changes no state) and the
// rest `Counter.add(1)`; every type runs with `concurrency: perActor` (default 4).
import { check, drive, summarize } from '../measure.js';
import { log, withRuntime, type RunConfig, type Fields } from '../harness.js';

export interface ReadMixConfig extends RunConfig {
  keys: number;
  perActor: number;
  readsPercent: number;
}

export async function w2r(cfg: ReadMixConfig): Promise<Fields> {
  const { keys, perActor, readsPercent } = cfg;
  return withRuntime(cfg.backend, { defaults: { concurrency: perActor } }, async (runtime, settle) => {
    const adds = new Map<string, number>();
    const op = async (prefix: string, i: number): Promise<void> => {
      const actorId = `${prefix}-${i % keys}`;
      // Reads and writes interleave on every actor: call i is a write when its slot in 100 is past the reads.
      const write = (Math.floor(i / keys) * 37) % 100 >= readsPercent;
      const got = await runtime.call<number>({ actorType: 'Counter', actorId, method: write ? 'add' : 'get', args: write ? [1] : [] });
      if (write) adds.set(actorId, (adds.get(actorId) ?? 0) + 1);
      check(Number.isInteger(got) && got >= 0, () => `Counter ${actorId} returned ${String(got)}`);
    };
    await drive(cfg.warmup, cfg.concurrency, (i) => op('warm', i), settle);
    log(`warmup ${cfg.warmup} done; measuring ${cfg.n} calls (${readsPercent}% reads) to ${keys} actors, concurrency ${perActor} per actor, ${cfg.concurrency} in flight`);
    adds.clear();
    const sample = await drive(cfg.n, cfg.concurrency, (i) => op('c', i), settle);
    const fields = summarize(sample, cfg.n);
    for (const [actorId, expected] of adds) {
      const got = (await runtime.getState<{ n: number }>('Counter', actorId))?.n ?? 0;
      check(got === expected, `Counter ${actorId} is ${got}, expected ${expected} (a lost update)`);
    }
    return { ...fields, keys, per_actor: perActor, reads_percent: readsPercent };
  });
}
