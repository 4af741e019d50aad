import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActorRuntime } from '../runtime/actor-runtime.js';
import type { Store } from '../ports/store.js';
import type { ActorTypeView, InvokeRequest, OverviewView } from './api-types.js';
import type { AuditLog } from './audit.js';
import type { StudioActions } from './actions.js';
import type { StudioData } from './data.js';
import type { LiveHub, LiveView } from './live.js';
import { readJson, sendJson } from './http.js';
import { parseInvocationQuery } from './query.js';
import { requireString } from './data.js';
import { StudioInputError, StudioNotFoundError } from './errors.js';

export interface ApiContext {
  store: Store;
  storeLabel: string;
  runtime: ActorRuntime | undefined;
  data: StudioData;
  actions: StudioActions;
  live: LiveHub;
  audit: AuditLog;
  partitions: number;
  stats: () => Record<string, number>;
}

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL, params: string[]) => Promise<void>;

const routes: [method: string, pattern: RegExp, handler: Handler][] = [
  ['GET', /^\/api\/overview$/, async (ctx, _req, res) => sendJson(res, 200, overview(ctx))],
  ['GET', /^\/api\/stats$/, async (ctx, _req, res) => sendJson(res, 200, ctx.stats())],
  ['GET', /^\/api\/invocations$/, async (ctx, _req, res, url) => sendJson(res, 200, await ctx.data.invocations(parseInvocationQuery(url.searchParams)))],
  ['GET', /^\/api\/invocations\/([^/]+)$/, async (ctx, _req, res, _url, [id]) => {
    const detail = await ctx.data.invocation(id!);
    if (!detail) throw new StudioNotFoundError(`no invocation ${id!} in the store (mistyped, or finished and swept after its TTL)`);
    sendJson(res, 200, detail);
  }],
  ['POST', /^\/api\/invocations\/([^/]+)\/redrive$/, async (ctx, req, res, _url, [id]) => {
    sendJson(res, 200, await audited(ctx, req, 'redrive', id!, () => ctx.actions.redrive(id!)));
  }],
  ['POST', /^\/api\/promises\/resolve$/, async (ctx, req, res) => {
    const body = await readJson(req);
    const id = requireString(body.id, 'id');
    const error = body.error === undefined ? undefined : requireString(body.error, 'error');
    sendJson(res, 200, await audited(ctx, req, error === undefined ? 'resolve-promise' : 'reject-promise', id, () => ctx.actions.resolvePromise(id, error === undefined ? { value: body.value } : { error })));
  }],
  ['POST', /^\/api\/invoke$/, async (ctx, req, res) => {
    const r = invokeRequest(await readJson(req));
    const target = `${r.actorType}/${r.actorId}.${r.method}`;
    sendJson(res, 200, await audited(ctx, req, r.mode, target, () => ctx.actions.invoke(r)));
  }],
  ['GET', /^\/api\/actors$/, async (ctx, _req, res, url) => {
    const limit = Number(url.searchParams.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1) throw new StudioInputError(`limit must be a positive whole number, got "${url.searchParams.get('limit')}"`);
    sendJson(res, 200, await ctx.data.actors(url.searchParams.get('type') || undefined, limit));
  }],
  ['GET', /^\/api\/actors\/([^/]+)\/([^/]+)$/, async (ctx, _req, res, _url, [type, id]) => sendJson(res, 200, await ctx.data.actor(type!, id!))],
  ['GET', /^\/api\/partitions$/, async (ctx, _req, res) => sendJson(res, 200, await ctx.data.partitions(ctx.partitions))],
  ['GET', /^\/api\/live$/, async (ctx, _req, res, url) => {
    const [key, view] = liveView(ctx, url.searchParams);
    ctx.live.subscribe(key, view, res);
  }],
];

/** Routes an /api request; false when no route matches. */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  for (const [method, pattern, handler] of routes) {
    const m = pattern.exec(url.pathname);
    if (!m) continue;
    if (req.method !== method) {
      sendJson(res, 405, { error: { code: 'LOOM_STUDIO_METHOD', message: `${url.pathname} takes ${method}` } });
      return true;
    }
    await handler(ctx, req, res, url, m.slice(1).map((p) => decodeURIComponent(p)));
    return true;
  }
  return false;
}

function overview(ctx: ApiContext): OverviewView {
  const types: ActorTypeView[] = (ctx.runtime?.actorTypes ?? []).map((t) => ({
    name: t.name,
    methods: [...t.handlers].sort(),
    defaultHandler: t.defaultHandler,
    settings: { timeoutMs: t.timeoutMs, idempotencyTtlMs: t.idempotencyTtlMs, retryPolicy: t.retryPolicy },
  }));
  return {
    store: ctx.storeLabel,
    readOnly: false,
    canInvoke: ctx.actions.canInvoke,
    types,
    capabilities: { durable: ctx.store.capabilities.durable, shared: ctx.store.capabilities.shared, listInvocations: false, editState: false, traces: false },
  };
}

function invokeRequest(b: Record<string, unknown>): InvokeRequest {
  if (!Array.isArray(b.args)) throw new StudioInputError('args must be a JSON array of the handler\'s arguments, e.g. [50]');
  if (b.mode !== 'call' && b.mode !== 'send') throw new StudioInputError(`mode must be "call" or "send", got ${JSON.stringify(b.mode)}`);
  const r: InvokeRequest = { actorType: requireString(b.actorType, 'actorType'), actorId: requireString(b.actorId, 'actorId'), method: requireString(b.method, 'method'), args: b.args, mode: b.mode };
  if (b.idempotencyKey !== undefined && b.idempotencyKey !== '') r.idempotencyKey = requireString(b.idempotencyKey, 'idempotencyKey');
  return r;
}

function liveView(ctx: ApiContext, p: URLSearchParams): [string, LiveView] {
  const view = p.get('view');
  switch (view) {
    case 'invocations': {
      const q = parseInvocationQuery(p);
      return [`invocations?${p.toString()}`, { load: () => ctx.data.invocations(q) }];
    }
    case 'invocation': {
      const id = requireString(p.get('id'), 'id');
      return [`invocation/${id}`, {
        probe: async () => {
          const r = await ctx.store.getInvocation(id);
          return r ? `${r.status}:${r.updatedAt}:${r.wakeSeq}:${r.attempt}:${r.waitingOn ?? ''}` : 'gone';
        },
        load: () => ctx.data.invocation(id),
      }];
    }
    case 'actor': {
      const type = requireString(p.get('type'), 'type');
      const id = requireString(p.get('id'), 'id');
      return [`actor/${type}/${id}`, { load: () => ctx.data.actor(type, id) }];
    }
    case 'partitions':
      // Two queries (leases and members): polled every 2 s to stay within one query a second.
      return ['partitions', { load: () => ctx.data.partitions(ctx.partitions), intervalMs: 2000 }];
    default:
      throw new StudioInputError(`unknown live view "${view ?? ''}" (invocations, invocation, actor, partitions)`);
  }
}

async function audited<T extends object>(ctx: ApiContext, req: IncomingMessage, action: string, target: string, run: () => Promise<T>): Promise<T> {
  const from = req.socket.remoteAddress ?? 'unknown';
  try {
    const out = await run();
    const refused = 'ok' in out && out.ok === false;
    await ctx.audit.record({ action, target, from, outcome: refused ? 'refused' : 'ok' });
    return out;
  } catch (err) {
    await ctx.audit.record({ action, target, from, outcome: 'failed', detail: (err as { code?: string }).code ?? (err as Error).name });
    throw err;
  }
}
