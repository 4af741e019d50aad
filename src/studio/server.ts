import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ActorRuntime } from '../runtime/actor-runtime.js';
import type { Store } from '../ports/store.js';
import { ConfigError } from '../core/errors.js';
import { Access, TOKEN_COOKIE } from './access.js';
import { AuditLog, type AuditSink } from './audit.js';
import { StudioActions } from './actions.js';
import { StudioData } from './data.js';
import { LiveHub } from './live.js';
import { handleApi, type ApiContext } from './api.js';
import { readJson, sendJson, statusOf } from './http.js';
import { defaultUiDir, serveStatic } from './static.js';
import { countQueries } from './counting.js';
import { LoomClient } from '../admin/client.js';
import { BulkJobs } from './bulk.js';
import { PartitionStats } from './partitions.js';
import { StudioAuthError } from './errors.js';
import { resolveAdapter } from '../seed/deferred.js';

/** Options of {@link startStudio}. */
export interface StudioOptions {
  /** The store to show; Studio opens and closes it. Ignored when `runtime` is given: its store is used. */
  store?: Store;
  /**
   * A runtime whose registered types and settings Studio lists. When it is started
   * (as in `loom dev`), Studio shares its store; otherwise Studio opens the store
   * the runtime was configured with. Studio never starts it.
   */
  runtime?: ActorRuntime;
  /** Interface to bind. Default 127.0.0.1; any other needs `token`. */
  host?: string;
  /** Port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Required on a non-loopback bind: every API call must carry it. At least 16 characters. */
  token?: string;
  /** Where actions are recorded: a JSON-lines file, or a function. Default ./.loom/studio-audit.jsonl. */
  audit?: AuditSink;
  /** Shown in the header, e.g. the store URL without its password. */
  storeLabel?: string;
  /** Partition count to draw (the workers' `partitions`). Default 64. */
  partitions?: number;
  /** How often live views poll, ms. Default 1000. */
  livePollMs?: number;
  /** The built UI. Default: the package's studio/dist. */
  uiDir?: string;
}

/** A running Studio. */
export interface StudioServer {
  /** The URL it serves, e.g. http://127.0.0.1:3000/ */
  readonly url: string;
  /** Store queries Studio has made since it started. */
  readonly storeQueries: number;
  /** Stops serving and ends live connections. Closes the store only if Studio opened it. */
  close(): Promise<void>;
}

/**
 * Serves Loom Studio: the web UI and its JSON API over a store.
 *
 * @example
 * const studio = await startStudio({ store: new SqliteStore({ path: './.loom/loom.db' }) });
 * console.log(`Studio at ${studio.url}`);
 */
export async function startStudio(options: StudioOptions): Promise<StudioServer> {
  const host = options.host ?? '127.0.0.1';
  const access = new Access(host, options.token);
  // Studio never starts a runtime (that would make it a worker): it uses a started one's store, or opens its own.
  const running = runtimeStore(options.runtime);
  const configured = options.store ?? options.runtime?.options.store ?? options.runtime?.options.stateAdapter;
  const base = running ?? (configured === undefined ? undefined : await resolveAdapter(configured));
  if (!base) throw new ConfigError('startStudio needs a store, or a runtime with a store, to show');
  const own = running === undefined;
  const counter = countQueries(base);
  const live = new LiveHub(options.livePollMs ?? 1000, () => counter.count);
  const partitions = options.partitions ?? options.runtime?.options.partitions ?? 64;
  const types = options.runtime?.actorTypes.map((t) => t.name);
  const client = new LoomClient({ store: counter.store, partitions, ...(types ? { actorTypes: types } : {}) });
  await client.start();
  const bulk = new BulkJobs(client);
  const ctx: ApiContext = {
    store: counter.store,
    storeLabel: options.storeLabel ?? base.constructor.name,
    runtime: options.runtime,
    data: new StudioData(counter.store, client),
    actions: new StudioActions(client),
    bulk,
    partitions: new PartitionStats(counter.store, partitions),
    live,
    audit: new AuditLog(options.audit ?? join('.loom', 'studio-audit.jsonl')),
    stats: () => ({ storeQueries: counter.count, openViews: live.openViews }),
  };
  const uiDir = options.uiDir ?? defaultUiDir();

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://studio.invalid');
    void (async () => {
      try {
        if (!url.pathname.startsWith('/api/')) return await serveStatic(uiDir, url.pathname, res, req.headers);
        if (url.pathname === '/api/login' && req.method === 'POST') return await login(access, req, res);
        access.check(req);
        if (!(await handleApi(ctx, req, res, url))) {
          sendJson(res, 404, { error: { code: 'LOOM_STUDIO_NOT_FOUND', message: `no API route ${req.method ?? ''} ${url.pathname}` } });
        }
      } catch (err) {
        const status = statusOf(err);
        if (status === 500) console.error(`loom studio: ${req.method ?? ''} ${url.pathname} failed`, err);
        if (res.headersSent) return void res.end();
        sendJson(res, status, { error: { code: (err as { code?: string }).code ?? 'LOOM_STUDIO_ERROR', message: (err as Error).message } });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE'
        ? new ConfigError(`port ${options.port ?? 3000} on ${host} is already in use; pass another with --port`, { cause: err })
        : err);
    });
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}/`,
    get storeQueries() { return counter.count; },
    async close() {
      live.close();
      bulk.stopAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // The client would close the store: only when Studio opened it.
      if (own) await client.close();
    },
  };
}

async function login(access: Access, req: Parameters<typeof readJson>[0], res: Parameters<typeof sendJson>[0]): Promise<void> {
  const body = await readJson(req);
  if (typeof body.token !== 'string' || !access.matches(body.token)) throw new StudioAuthError('wrong token');
  res.setHeader('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(body.token)}; HttpOnly; SameSite=Strict; Path=/`);
  sendJson(res, 200, { ok: true });
}

function runtimeStore(runtime: ActorRuntime | undefined): Store | undefined {
  if (!runtime) return undefined;
  try {
    return runtime.store;
  } catch {
    return undefined; // not started
  }
}
