/** The one typed client of Studio's JSON API. Views call it; none talks to anything else. */
import type {
  ActionResponse, ActorDetail, ActorRow, BulkAction, BulkJob, BulkResult, InvocationDetail, InvocationPage, InvokeRequest, InvokeResponse, OverviewView, PartitionsView,
} from '../../../src/studio/api-types.js';

export type * from '../../../src/studio/api-types.js';

/** An API answer other than 2xx, with the server's code and message. */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Raised on 401: the page shows the sign-in form. */
export const unauthorized = new EventTarget();

async function request<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? 'GET',
    headers: init?.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init?.body === undefined ? null : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const e = (json as { error?: { code: string; message: string } } | undefined)?.error;
    if (res.status === 401) unauthorized.dispatchEvent(new Event('401'));
    throw new ApiFailure(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText);
  }
  return json as T;
}

const qs = (p: Record<string, string | number | undefined>): string => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '') s.set(k, String(v));
  return s.toString();
};

/** A page of an actor's log, as `GET /api/actors/:type/:id/logs/:name` answers it. */
export interface ActorLogPageView {
  name: string;
  first: number;
  next: number;
  entries: { index: number; value: unknown }[];
}

const actorPath = (type: string, id: string) => `/api/actors/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;

export const api = {
  overview: () => request<OverviewView>('/api/overview'),
  invocations: (q: Record<string, string | number | undefined>) => request<InvocationPage>(`/api/invocations?${qs(q)}`),
  invocation: (id: string) => request<InvocationDetail>(`/api/invocations/${encodeURIComponent(id)}`),
  count: (q: Record<string, string | number | undefined>) => request<{ total: number | null }>(`/api/invocations-count?${qs(q)}`),
  act: (id: string, action: 'cancel' | 'retry' | 'redrive') => request<ActionResponse>(`/api/invocations/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: {} }),
  restart: (id: string, fromStep: number) => request<ActionResponse>(`/api/invocations/${encodeURIComponent(id)}/restart`, { method: 'POST', body: { fromStep } }),
  editState: (type: string, id: string, state: unknown, expectedVersion: number) =>
    request<ActorDetail>(`/api/actors/${encodeURIComponent(type)}/${encodeURIComponent(id)}`, { method: 'PUT', body: { state, expectedVersion } }),
  bulkCount: (action: BulkAction, query: string) => request<BulkResult>('/api/bulk', { method: 'POST', body: { action, query, dryRun: true } }),
  bulkStart: (action: BulkAction, query: string) => request<BulkJob>('/api/bulk', { method: 'POST', body: { action, query } }),
  bulkJob: (id: string) => request<BulkJob>(`/api/bulk/${encodeURIComponent(id)}`),
  bulkStop: (id: string) => request<BulkJob>(`/api/bulk/${encodeURIComponent(id)}/stop`, { method: 'POST', body: {} }),
  resolvePromise: (id: string, outcome: { value?: unknown; error?: string }) => request<ActionResponse>('/api/promises/resolve', { method: 'POST', body: { id, ...outcome } }),
  actors: (type: string | undefined, limit = 100) => request<ActorRow[]>(`/api/actors?${qs({ type, limit })}`),
  actor: (type: string, id: string) => request<ActorDetail>(`/api/actors/${encodeURIComponent(type)}/${encodeURIComponent(id)}`),
  keys: (type: string, id: string) => request<{ keys: string[] }>(`${actorPath(type, id)}/keys`),
  key: (type: string, id: string, key: string) => request<{ key: string; found: boolean; value?: unknown }>(`${actorPath(type, id)}/keys/${encodeURIComponent(key)}`),
  logs: (type: string, id: string) => request<{ logs: { name: string; first: number; next: number }[] }>(`${actorPath(type, id)}/logs`),
  log: (type: string, id: string, name: string, q: { from?: number; last?: number; limit?: number }) =>
    request<ActorLogPageView>(`${actorPath(type, id)}/logs/${encodeURIComponent(name)}?${qs(q)}`),
  partitions: () => request<PartitionsView>('/api/partitions'),
  invoke: (r: InvokeRequest) => request<InvokeResponse>('/api/invoke', { method: 'POST', body: r }),
  login: (token: string) => request<{ ok: boolean }>('/api/login', { method: 'POST', body: { token } }),
  /** The URL of a live view's server-sent events. */
  liveUrl: (p: Record<string, string | number | undefined>) => `/api/live?${qs(p)}`,
};
