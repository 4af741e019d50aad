import { resolve } from 'node:path';
import { loadRuntime } from './load.js';
import type { ActorRuntime } from '../runtime/actor-runtime.js';

/** What a `loom dev` extension gets: the started runtime and where its store is. */
export interface DevContext {
  runtime: ActorRuntime;
  /** The `--store` value other `loom` commands use to reach this store, or undefined when it is not a SQLite file. */
  storeUrl: string | undefined;
  out: (line: string) => void;
}

/** Something `loom dev` also starts (Studio, a config watcher…); may return how to stop it. */
export type DevExtension = (ctx: DevContext) => Promise<(() => Promise<void>) | void>;

const extensions: DevExtension[] = [];

/** Adds a part to `loom dev`; a command file calls this when it registers its command. */
export function addDevExtension(extension: DevExtension): void {
  extensions.push(extension);
}

/**
 * `loom dev <module>`: the worker module on the embedded SQLite store (unless the
 * module sets another), plus every registered extension, until Ctrl-C.
 */
export async function runDev(module: string, out: (line: string) => void): Promise<void> {
  const runtime = await loadRuntime(module);
  await runtime.start();
  const path = (runtime.store as { path?: unknown }).path;
  const storeUrl = typeof path === 'string' && path !== ':memory:' ? resolve(path) : undefined;
  const stops: (() => Promise<void>)[] = [];
  for (const ext of extensions) {
    const stop = await ext({ runtime, storeUrl, out });
    if (stop) stops.push(stop);
  }
  out(`loom dev: worker ${process.pid} running ${module}`);
  out(storeUrl ? `store: ${storeUrl}\n  try: loom invocations list --store ${storeUrl}` : `store: ${runtime.store.constructor.name} (pass its URL to other loom commands with --store)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    out(`${signal}: stopping`);
    void Promise.all(stops.map((s) => s().catch(() => {})))
      .then(() => runtime.stop(5000))
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
