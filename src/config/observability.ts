import { ConfigError } from '../core/errors.js';
import type { ActorRuntime } from '../runtime/actor-runtime.js';

/** What the health server module provides (src/observability). */
interface HealthServerModule {
  createHealthServer(options: { port: number; host?: string; runtime: ActorRuntime }): unknown;
}

/**
 * Starts the health and metrics server (`createHealthServer` of
 * src/observability) for `observability: { enabled: true, port }`. It is loaded
 * by name, so that a build without the observability module says so clearly.
 */
export async function startObservability(runtime: ActorRuntime, o: { port: number; host: string }): Promise<void> {
  const path = '../observability/index.js';
  let mod: HealthServerModule;
  try {
    mod = (await import(path)) as HealthServerModule;
  } catch (cause) {
    throw new ConfigError(
      'observability.enabled is true, but this build of Loom has no health server (src/observability); set observability.enabled: false',
      { cause, code: 'LOOM_CONFIG_UNSUPPORTED' },
    );
  }
  const server = mod.createHealthServer({ port: o.port, host: o.host, runtime }) as { start?: () => Promise<void>; listen?: () => Promise<void> };
  if (typeof server.start === 'function') await server.start();
  else if (typeof server.listen === 'function') await server.listen();
}
