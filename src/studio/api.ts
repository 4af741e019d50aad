import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActorRuntime } from '../runtime/actor-runtime.js';
import type { Store } from '../ports/store.js';
import type { ActorTypeView, InvokeRequest, OverviewView } from './api-types.js';
import type { AuditLog } from './audit.js';
import { stepNumber, type StudioActions } from './actions.js';
import { BulkJobs } from './bulk.js';
import type { PartitionStats } from './partitions.js';
import type { StudioData } from './data.js';
import type { LiveHub, LiveView } from './live.js';
import { readJson, sendJson } from './http.js';
import { parseInvocationQuery } from './query.js';
import { requireString } from './errors.js';
import { StudioInputError, StudioNotFoundError } from './errors.js';

export interface ApiContext {
  store: Store;
  storeLabel: string;
  runtime: ActorRuntime | undefined;
  data: StudioData;
  actions: StudioActions;
  bulk: BulkJobs;
  partitions: PartitionStats;
  live: LiveHub;
  audit: AuditLog;
  stats: () => Record<string, number>;
}

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL, params: string[]) => Promise<void>;

const invocationAction = (name: 'cancel' | 'retry' | 'redrive'): Handler => async (ctx, req, res, _url, [id]) => {
  const run = name === 'cancel' ? () => ctx.actions.cancel(id!) : name === 'retry' ? () => ctx.actions.retryNow(id!) : () => ctx.actions.redrive(id!);
  sendJson(res, 200, await audited(ctx, req, name, id!, run));
};

const routes: [method: string, pattern: RegExp, handler: Handler][] = [
  ['GET', /^\/api\/overview$/, async (ctx, _req, res) => sendJson(res, 200, await overview(ctx))],
  ['GET', /^\/api\/stats$/, async (ctx, _req, res) => sendJson(res, 200, ctx.stats())],
  ['GET', /^\/api\/invocations$/, async (ctx, _req, res, url) => sendJson(res, 200, await ctx.data.invocations(parseInvocationQuery(url.searchParams)))],
  ['GET', /^\/api\/invocations-count$/, async (ctx, _req, res, url) => sendJson(res, 200, { total: await ctx.data.count(parseInvocationQuery(url.searchParams)) ?? null })],
  ['GET', /^\/api\/invocations\/([^/]+)$/, async (ctx, _req, res, _url, [id]) => {
    const detail = await ctx.data.invocation(id!);
    if (!detail) throw new StudioNotFoundError(`no invocation ${id!} in the store (mistyped, or finished and swept after its TTL)`);
    sendJson(res, 200, detail);
  }],
  ['POST', /^\/api\/invocations\/([^/]+)\/cancel$/, invocationAction('cancel')],
  ['POST', /^\/api\/invocations\/([^/]+)\/retry$/, invocationAction('retry')],
  ['POST', /^\/api\/invocations\/([^/]+)\/redrive$/, invocationAction('redrive')],
  ['POST', /^\/api\/invocations\/([^/]+)\/restart$/, async (ctx, req, res, _url, [id]) => {
    const fromStep = stepNumber((await readJson(req)).fromStep);
    sendJson(res, 200, await audited(ctx, req, 'restart', `${id!} from step ${fromStep}`, () => ctx.actions.restart(id!, fromStep)));
  }],
  ['POST', /^\/api\/promises\/resolve$/, async (ctx, req, res) => {
    const body = await readJson(req);
    const id = requireString(body.id, 'id');
    const error = body.error === undefined ? undefined : requireString(body.error, 'error');
    sendJson(res, 200, await audited(ctx, req, error === undefined ? 'resolve-promise' : 'reject-promise', id, () => ctx.actions.settlePromise(id, error === undefined ? { value: body.value } : { error })));
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
  // Per-key state and logs (this.kv, this.log): read-only pages.
  ['GET', /^\/api\/actors\/([^/]+)\/([^/]+)\/keys$/, async (ctx, _req, res, url, [type, id]) =>
    sendJson(res, 200, { keys: await ctx.data.client.listKeys(type!, id!, namePage(url.searchParams)) })],
  ['GET', /^\/api\/actors\/([^/]+)\/([^/]+)\/keys\/([^/]+)$/, async (ctx, _req, res, _url, [type, id, key]) =>
    sendJson(res, 200, await ctx.data.client.getKey(type!, id!, key!))],
  ['GET', /^\/api\/actors\/([^/]+)\/([^/]+)\/logs$/, async (ctx, _req, res, url, [type, id]) =>
    sendJson(res, 200, { logs: await ctx.data.client.listLogs(type!, id!, namePage(url.searchParams)) })],
  ['GET', /^\/api\/actors\/([^/]+)\/([^/]+)\/logs\/([^/]+)$/, async (ctx, _req, res, url, [type, id, name]) => {
    const q: { from?: number; limit?: number; last?: number } = {};
    for (const k of ['from', 'limit', 'last'] as const) {
      const v = url.searchParams.get(k);
      if (v !== null) q[k] = wholeNumber(v, k);
    }
    sendJson(res, 200, await ctx.data.client.readLog(type!, id!, name!, q));
  }],
  ['PUT', /^\/api\/actors\/([^/]+)\/([^/]+)$/, async (ctx, req, res, _url, [type, id]) => {
    const body = await readJson(req);
    if (!('state' in body)) throw new StudioInputError('send { state, expectedVersion }: the new state and the version you read');
    const expected = body.expectedVersion;
    if (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 0) throw new StudioInputError(`expectedVersion must be the version you read (a whole number), got ${JSON.stringify(expected)}`);
    sendJson(res, 200, await audited(ctx, req, 'edit-state', `${type!}/${id!} v${expected}`, () => ctx.actions.editState(type!, id!, body.state, expected)));
  }],
  ['GET', /^\/api\/partitions$/, async (ctx, _req, res) => sendJson(res, 200, await ctx.partitions.view())],
  ['POST', /^\/api\/bulk$/, async (ctx, req, res) => {
    const body = await readJson(req);
    const action = BulkJobs.action(body.action);
    const q = parseInvocationQuery(new URLSearchParams(typeof body.query === 'string' ? body.query : ''));
    if (body.dryRun === true) return sendJson(res, 200, await ctx.bulk.dryRun(action, q));
    const target = `filter ${typeof body.query === 'string' ? body.query : ''}`;
    const from = req.socket.remoteAddress ?? 'unknown';
    await ctx.audit.record({ action: `bulk-${action}`, target, from, outcome: 'ok', detail: 'started' });
    const reason = typeof body.reason === 'string' ? body.reason : undefined;
    sendJson(res, 202, ctx.bulk.start(action, q, reason, (r) => {
      void ctx.audit.record({ action: `bulk-${action}`, target, from, outcome: r.failed > 0 ? 'failed' : 'ok', detail: `done ${r.done} of ${r.total}: ${r.succeeded} ok, ${r.skipped} skipped, ${r.failed} failed${r.interrupted ? ', interrupted' : ''}` });
    }));
  }],
  ['GET', /^\/api\/bulk\/([^/]+)$/, async (ctx, _req, res, _url, [id]) => sendJson(res, 200, ctx.bulk.get(id!))],
  ['POST', /^\/api\/bulk\/([^/]+)\/stop$/, async (ctx, _req, res, _url, [id]) => sendJson(res, 200, ctx.bulk.stop(id!))],
  ['GET', /^\/api\/live$/, async (ctx, _req, res, url) => {
    const [key, view] = liveView(ctx, url.searchParams);
    ctx.live.subscribe(key, view, res);
  }],
];

function wholeNumber(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new StudioInputError(`${name} must be a whole number, got "${v}"`);
  return n;
}

function namePage(p: URLSearchParams): { after?: string; limit?: number } {
  const out: { after?: string; limit?: number } = {};
  const after = p.get('after');
  const limit = p.get('limit');
  if (after !== null) out.after = after;
  if (limit !== null) out.limit = wholeNumber(limit, 'limit');
  return out;
}

/** Routes an /api request; false when no route matches. */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const allowed: string[] = [];
  for (const [method, pattern, handler] of routes) {
    const m = pattern.exec(url.pathname);
    if (!m) continue;
    if (req.method !== method) {
      allowed.push(method);
      continue;
    }
    await handler(ctx, req, res, url, m.slice(1).map((p) => decodeURIComponent(p)));
    return true;
  }
  if (allowed.length === 0) return false;
  sendJson(res, 405, { error: { code: 'LOOM_STUDIO_METHOD', message: `${url.pathname} takes ${allowed.join(' or ')}` } });
  return true;
}

async function overview(ctx: ApiContext): Promise<OverviewView> {
  let types: ActorTypeView[] = (ctx.runtime?.actorTypes ?? []).map((t) => ({
    name: t.name,
    methods: [...t.handlers].sort(),
    defaultHandler: t.defaultHandler,
    settings: { timeoutMs: t.timeoutMs, idempotencyTtlMs: t.idempotencyTtlMs, retryPolicy: t.retryPolicy },
  }));
  if (!ctx.runtime) {
    // No registered types here: offer the types that have state, so the form has something to pick.
    const names = [...new Set((await ctx.data.actors(undefined, 500)).map((a) => a.actorType))];
    types = names.map((name) => ({ name, methods: [], defaultHandler: '', settings: {} }));
  }
  return {
    store: ctx.storeLabel,
    readOnly: false,
    canInvoke: true,
    types,
    capabilities: { admin: ctx.store.admin !== undefined, traces: ctx.store.traces !== undefined, durable: ctx.store.capabilities.durable, shared: ctx.store.capabilities.shared },
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
      // Probe: the page's records (one query); reload with waiting reasons when they change, and every 10 s.
      return [`invocations?${p.toString()}`, { probe: () => ctx.data.probeInvocations(q).then((x) => x ?? ''), load: () => ctx.data.invocations(q), refreshEveryMs: 10_000 }];
    }
    case 'invocation': {
      const id = requireString(p.get('id'), 'id');
      return [`invocation/${id}`, {
        probe: async () => {
          const r = await ctx.store.getInvocation(id);
          return r ? `${r.status}:${r.updatedAt}:${r.wakeSeq}:${r.attempt}:${r.waitingOn ?? ''}` : 'gone';
        },
        load: () => ctx.data.invocation(id),
        refreshEveryMs: 10_000,
      }];
    }
    case 'actor': {
      const type = requireString(p.get('type'), 'type');
      const id = requireString(p.get('id'), 'id');
      return [`actor/${type}/${id}`, {
        probe: async () => String((await ctx.store.loadState(type, id))?.version ?? 0),
        load: () => ctx.data.actor(type, id),
        refreshEveryMs: 5_000,
      }];
    }
    case 'partitions':
      return ['partitions', {
        probe: async () => (await ctx.store.leases.list()).map((l) => `${l.partition}:${l.owner}:${l.epoch}`).join(','),
        load: () => ctx.partitions.view(),
        refreshEveryMs: 5_000,
      }];
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
