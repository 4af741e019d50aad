import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActorRuntime } from '../../runtime/actor-runtime.js';
import { createRequestHandler, type HttpHandlerOptions } from './handler.js';
import { problem, type TriggerResponse } from './problem.js';
import { readLimited, type TriggerRequest } from './request.js';
import type { HttpTrigger } from './trigger.js';

/** A Node `http` request listener that is also Express (and Connect) middleware: unmatched requests go to `next`, else 404. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/**
 * Mounts triggers on Node's `http` (`http.createServer(handler)`) or Express
 * (`app.use(handler)`, before any body parser, so that the trigger reads the
 * raw body it fingerprints and limits).
 */
export function createHttpHandler(runtime: ActorRuntime, triggers: readonly HttpTrigger[], options: HttpHandlerOptions = {}): NodeHandler {
  const handle = createRequestHandler(runtime, triggers, options);
  return (req, res, next) => {
    handle(fromNode(req)).then(
      (out) => {
        if (out) write(res, out);
        else if (next) next();
        else write(res, problem(404, 'not-found', 'Not found', `no trigger serves ${req.method ?? ''} ${req.url ?? ''}`));
      },
      (err: unknown) => write(res, problem(500, 'internal', 'Internal error', `the request could not be handled: ${(err as Error).message}`)),
    );
  };
}

function fromNode(req: IncomingMessage): TriggerRequest {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    header: (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    body: (limit) => {
      // A body parser that ran first leaves the stream drained and its result on req.body.
      const parsed = (req as IncomingMessage & { body?: unknown }).body;
      if (req.readableEnded && parsed !== undefined) return Promise.resolve(Buffer.from(typeof parsed === 'string' ? parsed : JSON.stringify(parsed)));
      return readLimited(req, limit);
    },
  };
}

function write(res: ServerResponse, out: TriggerResponse): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(out.status, { ...out.headers, 'content-length': String(Buffer.byteLength(out.body)) });
  res.end(out.body);
}

/** A running Loom HTTP server. */
export interface LoomHttpServer {
  readonly server: Server;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves triggers on a Node HTTP server of its own. `port` 0 (default) picks a free port. */
export async function serveHttp(options: { runtime: ActorRuntime; triggers: readonly HttpTrigger[]; port?: number; host?: string } & HttpHandlerOptions): Promise<LoomHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(createHttpHandler(options.runtime, options.triggers, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
