import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ActorRuntime } from '../runtime/actor-runtime.js';
import type { EngineView } from '../core/observer.js';
import { ConfigError } from '../core/errors.js';
import { PortInUseError } from './errors.js';
import { checkHealth } from './health.js';
import { LoopLag } from './lag.js';
import { LoomMetrics } from './metrics.js';
import { observabilityOf, observe } from './observe.js';

/** Options of {@link createHealthServer}. */
export interface HealthServerOptions {
  /** TCP port; 0 picks a free one (read `server.port`). */
  port: number;
  /** The runtime to report on; before or after its `start()`. */
  runtime: ActorRuntime;
  /** Interface to listen on. Default: all (what container probes and scrapers need). */
  host?: string;
  /** `/health` fails its store probe after this, ms. Default 2000. */
  storeTimeoutMs?: number;
  /** An event-loop delay above this makes `/health` degraded, ms. Default 1000. */
  maxEventLoopLagMs?: number;
}

/** A running health server. */
export interface HealthServer {
  readonly port: number;
  /** `http://<host>:<port>` */
  readonly url: string;
  /** The metrics it serves (Loom's own prom-client Registry is `metrics.registry`). */
  readonly metrics: LoomMetrics;
  close(): Promise<void>;
}

/**
 * Serves `GET /health` (JSON: `{ status, actors, messages, partitions, store,
 * eventLoopLagMs, ... }`; 200 when ok or degraded, 503 when down), `GET /ready`
 * (200 once the runtime runs and its store answers, else 503) and
 * `GET /metrics` (Prometheus text, from Loom's own registry). Turns metrics on
 * for the runtime if `observe()` did not already.
 *
 * @example
 * const server = await createHealthServer({ port: 9090, runtime });
 */
export async function createHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { runtime, port } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`createHealthServer: port must be an integer from 0 to 65535, got ${String(port)}`);
  if (!runtime || typeof runtime.observe !== 'function') throw new ConfigError('createHealthServer needs { runtime }: the ActorRuntime to report on');
  const storeTimeoutMs = options.storeTimeoutMs ?? 2000;
  const maxLagMs = options.maxEventLoopLagMs ?? 1000;

  let metrics = (observabilityOf(runtime) ?? observe(runtime, { metrics: true })).metrics;
  const extra: (() => void)[] = [];
  if (!metrics) {
    const m = (metrics = new LoomMetrics());
    extra.push(runtime.observe(m));
  }
  let view: EngineView | undefined;
  extra.push(runtime.observe({ attach: (v) => (view = v) }));
  const lag = new LoopLag();
  lag.start();

  const health = () => checkHealth(view, () => runtime.store, lag, { storeTimeoutMs, maxLagMs });
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => send(res, 500, 'text/plain', `internal error: ${err.message}\n`));
  });
  const m = metrics;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    if (path === '/health') {
      const r = await health();
      m.loopLag.set(r.eventLoopLagMs / 1000);
      if (r.status !== 'down') m.setStoreUp(r.store.reachable && !view?.storeDegraded);
      return send(res, r.status === 'down' ? 503 : 200, 'application/json', JSON.stringify(r));
    }
    if (path === '/ready') {
      const r = await health();
      const ready = r.status !== 'down' && r.store.reachable;
      return send(res, ready ? 200 : 503, 'application/json', JSON.stringify({ ready, status: r.status, reasons: r.reasons }));
    }
    if (path === '/metrics') {
      m.loopLag.set(lag.maxMs / 1000);
      return send(res, 200, m.registry.contentType, await m.text());
    }
    send(res, 404, 'text/plain', 'not found: try /health, /ready or /metrics\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      lag.stop();
      for (const off of extra) off();
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
        reject(
          new PortInUseError(
            port,
            `the health server cannot listen on port ${port}: ${err.code === 'EADDRINUSE' ? 'it is already in use' : 'permission denied'}. ` +
              `Stop what uses it or choose another port (createHealthServer({ port }), loom worker --metrics-port).`,
            { cause: err },
          ),
        );
      } else reject(err);
    });
    server.listen(port, options.host, () => resolve());
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return {
    port: bound,
    url: `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${bound}`,
    metrics: m,
    close: async () => {
      lag.stop();
      for (const off of extra) off();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
