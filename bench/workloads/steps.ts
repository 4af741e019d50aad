// W1 (concurrent) and W3 (sequential): the 3-step durable handler, each call to its own actor id.
import type { ActorRuntime } from '../../src/index.js';
import { check, drive, summarize } from '../measure.js';
import { log, withRuntime, type RunConfig, type Fields } from '../harness.js';

async function callSteps(runtime: ActorRuntime, prefix: string, i: number): Promise<void> {
  const got = await runtime.call<number>({ actorType: 'Steps', actorId: `${prefix}-${i}`, method: 'run', args: [i] });
  check(got === i + 3, () => `Steps ${prefix}-${i}.run(${i}) returned ${String(got)}, expected ${i + 3}`);
}

export async function steps(cfg: RunConfig, concurrency: number): Promise<Fields> {
  return withRuntime(cfg.backend, {}, async (runtime, settle) => {
    await drive(cfg.warmup, concurrency, (i) => callSteps(runtime, 'warm', i), settle);
    log(`warmup ${cfg.warmup} done; measuring ${cfg.n} calls, ${concurrency} in flight`);
    const sample = await drive(cfg.n, concurrency, (i) => callSteps(runtime, 's', i), settle);
    const fields = summarize(sample, cfg.n);
    let sum = 0;
    for (let i = 0; i < cfg.n; i++) {
      const st = await runtime.getState<{ n: number }>('Steps', `s-${i}`);
      check(st?.n === 1, `Steps s-${i} has state ${JSON.stringify(st)}, expected { n: 1 }`);
      sum += st?.n ?? 0;
    }
    check(sum === cfg.n, `Steps states sum to ${sum}, expected ${cfg.n}`);
    return { ...fields, concurrency };
  });
}

export const w1 = (cfg: RunConfig): Promise<Fields> => steps(cfg, cfg.concurrency);
export const w3 = (cfg: RunConfig): Promise<Fields> => steps(cfg, 1);
