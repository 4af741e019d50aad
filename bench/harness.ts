// One runtime on a fresh store of the chosen backend, stopped and cleaned up afterwards.
import { ActorRuntime, type ActorRuntimeOptions } from '../src/index.js';
import type { Backend } from './backends.js';
import { Big, BigKv, BigLog, Counter, Journal, Steps, Tiny } from './actors.js';
import { observe, StoreTraceSink } from '../src/observability/index.js';

export interface RunConfig {
  backend: Backend;
  n: number;
  concurrency: number;
  /** Calls made before measuring, not counted. */
  warmup: number;
}

export type Fields = Record<string, number | string>;
export type Workload = (cfg: RunConfig) => Promise<Fields>;

export async function withRuntime<T>(
  backend: Backend,
  options: Omit<ActorRuntimeOptions, 'store' | 'stateAdapter'>,
  /**
   * `settle` writes the trace events still buffered (nothing when observability is off). Workloads pass it
   * to `drive`: the warmup's events are then written during the warmup, and the measured calls' events
   * within the measured time, rather than the warmup's in it and the last calls' after it.
   */
  fn: (runtime: ActorRuntime, settle: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const { store, cleanup } = await backend.create();
  const park = process.env.LOOM_BENCH_PARK_MS;
  const runtime = new ActorRuntime({ ...options, store, ...(park !== undefined ? { parkSleepsUpToMs: Number(park) } : {}) });
  runtime.register(Steps).register(Counter).register(Tiny).register(Journal).register(Big).register(BigKv).register(BigLog);
  // LOOM_BENCH_OBSERVE=1: metrics and store-backed trace events on (bench/observability.ts compares).
  const mode = process.env.LOOM_BENCH_OBSERVE;
  const obs =
    mode === '1' ? observe(runtime, { metrics: true, traceSinks: [new StoreTraceSink()], traceSampleRatio: Number(process.env.LOOM_BENCH_SAMPLE ?? 1) })
    : mode === 'metrics' ? observe(runtime, { metrics: true })
    : mode === 'null-sink' ? observe(runtime, { traceSinks: [{ write: () => {} }] })
    // Trace events recorded and encoded as for the store, then dropped: the main thread's share of "1".
    : mode === 'null-encoded' ? observe(runtime, { metrics: true, traceSinks: [{ write: () => {}, writeEncoded: () => {} }] })
    : undefined;
  try {
    await runtime.start();
    return await fn(runtime, () => obs?.flush() ?? Promise.resolve());
  } finally {
    await runtime.stop();
    await obs?.close();
    await cleanup();
  }
}

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}
