// W2: n increments spread round-robin over 100 keyed counters.
import { check, drive, summarize } from '../measure.js';
import { log, withRuntime, type RunConfig, type Fields } from '../harness.js';

const KEYS = 100;

export async function w2(cfg: RunConfig): Promise<Fields> {
  return withRuntime(cfg.backend, {}, async (runtime, settle) => {
    const add = async (prefix: string, i: number): Promise<void> => {
      const actorId = `${prefix}-${i % KEYS}`;
      const got = await runtime.call<number>({ actorType: 'Counter', actorId, method: 'add', args: [1] });
      check(Number.isInteger(got) && got >= 1, () => `Counter ${actorId}.add(1) returned ${String(got)}`);
    };
    await drive(cfg.warmup, cfg.concurrency, (i) => add('warm', i), settle);
    log(`warmup ${cfg.warmup} done; measuring ${cfg.n} increments to ${KEYS} actors, ${cfg.concurrency} in flight`);
    const sample = await drive(cfg.n, cfg.concurrency, (i) => add('c', i), settle);
    const fields = summarize(sample, cfg.n);
    let sum = 0;
    for (let k = 0; k < KEYS; k++) {
      const expected = Math.floor(cfg.n / KEYS) + (k < cfg.n % KEYS ? 1 : 0);
      const got = (await runtime.getState<{ n: number }>('Counter', `c-${k}`))?.n ?? 0;
      check(got === expected, `Counter c-${k} is ${got}, expected ${expected}`);
      sum += got;
    }
    check(sum === cfg.n, `counters sum to ${sum}, expected ${cfg.n}`);
    return fields;
  });
}
