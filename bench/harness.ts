// One runtime on a fresh store of the chosen backend, stopped and cleaned up afterwards.
import { ActorRuntime, type ActorRuntimeOptions } from '../src/index.js';
import type { Backend } from './backends.js';
import { Counter, Steps, Tiny } from './actors.js';

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
  fn: (runtime: ActorRuntime) => Promise<T>,
): Promise<T> {
  const { store, cleanup } = await backend.create();
  const runtime = new ActorRuntime({ ...options, store });
  runtime.register(Steps).register(Counter).register(Tiny);
  try {
    await runtime.start();
    return await fn(runtime);
  } finally {
    await runtime.stop();
    await cleanup();
  }
}

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}
