// MEM: heap per idle activation, then flat memory while activations are evicted in waves.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ActorRuntime } from '../../src/index.js';
import { check, drive, mb, summarize } from '../measure.js';
import { log, withRuntime, type RunConfig, type Fields } from '../harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settledMemory(): NodeJS.MemoryUsage {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage();
}

const touch = async (runtime: ActorRuntime, id: string): Promise<void> => {
  const got = await runtime.call<number>({ actorType: 'Tiny', actorId: id, method: 'touch' });
  check(got === 1, () => `Tiny ${id}.touch() returned ${String(got)}`);
};

/** Phase 1: activate n actors and keep them all; heap and RSS delta per actor. */
async function perActor(cfg: RunConfig): Promise<Fields> {
  const keepAll = { maxActivations: cfg.n + cfg.warmup + 1000, idleTimeoutMs: 3_600_000 };
  return withRuntime(cfg.backend, keepAll, async (runtime, settle) => {
    await drive(cfg.warmup, cfg.concurrency, (i) => touch(runtime, `warm-${i}`), settle);
    const before = settledMemory();
    const sample = await drive(cfg.n, cfg.concurrency, (i) => touch(runtime, `m-${i}`), settle);
    const fields = summarize(sample, cfg.n);
    const after = settledMemory();
    check(runtime.activeActors >= cfg.n, `only ${runtime.activeActors} activations are held, expected ${cfg.n}`);
    log(`${runtime.activeActors} activations held; heap ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} MB, rss ${mb(before.rss)} -> ${mb(after.rss)} MB`);
    return {
      ...fields,
      bytes_per_idle_actor: Math.round((after.heapUsed - before.heapUsed) / cfg.n),
      rss_bytes_per_idle_actor: Math.round((after.rss - before.rss) / cfg.n),
    };
  });
}

const LIMIT = 1000;

async function waitForEviction(runtime: ActorRuntime): Promise<void> {
  const deadline = Date.now() + 5000;
  while (runtime.activeActors > LIMIT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/** Phase 2: n fresh actors in waves with maxActivations 1000, idleTimeoutMs 1000. */
async function eviction(cfg: RunConfig): Promise<Fields> {
  // Completed invocations are swept after 1 s so the store's own retention (a memory store keeps
  // every record for the idempotency TTL, 24 h by default) does not hide what eviction does.
  const options = { maxActivations: LIMIT, idleTimeoutMs: 1000, sweepIntervalMs: 1000, defaults: { idempotencyTtl: 1 } };
  return withRuntime(cfg.backend, options, async (runtime) => {
    const wave = Math.max(LIMIT, Math.ceil(cfg.n / 10));
    let start: NodeJS.MemoryUsage | undefined;
    let end = process.memoryUsage();
    for (let from = 0; from < cfg.n; from += wave) {
      const size = Math.min(wave, cfg.n - from);
      await drive(size, cfg.concurrency, (i) => touch(runtime, `e-${from + i}`));
      await waitForEviction(runtime);
      end = settledMemory();
      start ??= end;
      log(`wave ${from / wave + 1}: ${from + size} actors touched, ${runtime.activeActors} held, rss ${mb(end.rss)} MB, heap ${mb(end.heapUsed)} MB`);
    }
    check(runtime.activeActors <= LIMIT, `${runtime.activeActors} activations still held after eviction, limit ${LIMIT}`);
    return {
      rss_start_mb: mb(start!.rss),
      rss_end_mb: mb(end.rss),
      heap_start_mb: mb(start!.heapUsed),
      heap_end_mb: mb(end.heapUsed),
      active_end: runtime.activeActors,
    };
  });
}

export async function mem(cfg: RunConfig): Promise<Fields> {
  const first = await perActor(cfg);
  return { ...first, ...(await eviction(cfg)) };
}
