import type { ActorRuntime } from '../runtime/actor-runtime.js';

/**
 * Starts the health and metrics server (`createHealthServer` of
 * `loom/observability`) for `observability: { enabled: true, port }`, and
 * closes it when the runtime stops. Loaded on demand: a config without
 * observability does not load prom-client.
 */
export async function startObservability(runtime: ActorRuntime, o: { port: number; host: string }): Promise<void> {
  const { createHealthServer } = await import('../observability/index.js');
  const server = await createHealthServer({ port: o.port, host: o.host, runtime });
  // The runtime's stop() (and close(), which calls it) also closes the server it reports on.
  const stop = runtime.stop.bind(runtime);
  runtime.stop = async (graceMs?: number) => {
    try {
      await stop(graceMs);
    } finally {
      await server.close();
    }
  };
}
