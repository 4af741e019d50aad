import type { ActorRuntime } from '../../runtime/actor-runtime.js';
import { createRequestHandler, type HttpHandlerOptions } from './handler.js';
import { readLimited } from './request.js';
import type { HttpTrigger } from './trigger.js';

/**
 * Mounts triggers on a fetch-style server (Hono, Bun, Deno, workers): a web
 * `Request` in, a `Response` out, or undefined when no trigger's path matches.
 *
 * @example
 * const loom = createFetchHandler(runtime, [trigger]);
 * app.use('*', async (c, next) => (await loom(c.req.raw)) ?? next()); // Hono
 */
export function createFetchHandler(runtime: ActorRuntime, triggers: readonly HttpTrigger[], options: HttpHandlerOptions = {}): (request: Request) => Promise<Response | undefined> {
  const handle = createRequestHandler(runtime, triggers, options);
  return async (request) => {
    const url = new URL(request.url);
    const out = await handle({
      method: request.method,
      url: url.pathname + url.search,
      header: (name) => request.headers.get(name) ?? undefined,
      body: (limit) => (request.body ? readLimited(request.body as unknown as AsyncIterable<Uint8Array>, limit) : Promise.resolve(new Uint8Array())),
    });
    return out && new Response(out.body === '' ? null : out.body, { status: out.status, headers: out.headers });
  };
}
