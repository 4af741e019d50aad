/**
 * The JSON shapes of Studio's HTTP API. The server builds them and the UI's typed
 * client reads them (type-only import), so the two cannot drift apart.
 */
import type { ErrorInfo } from '../core/errors.js';
import type { BulkAction, BulkResult, DisplayStatus, WaitingReason, WaitingReasonKind } from '../admin/types.js';

export type { ErrorInfo, BulkAction, BulkResult, DisplayStatus, WaitingReason, WaitingReasonKind };

/** One row of the invocations list. */
export interface InvocationRow {
  id: string;
  actorType: string;
  actorId: string;
  method: string;
  status: DisplayStatus;
  attempt: number;
  idempotencyKey?: string;
  createdAt: number;
  updatedAt: number;
  error?: ErrorInfo;
  /** Why it is not running, for every pending invocation. */
  waiting?: WaitingReason;
  /** The reason (or the error) in one line a person reads. */
  why: string;
}

/** The tabs and filters of the invocations list. */
export interface InvocationQuery {
  tab?: 'all' | 'not-running' | 'backing-off' | 'dead';
  /** A stored status (pending, completed, failed, dead, cancelled) or a waiting reason (backing-off, queued, …). */
  status?: string;
  method?: string;
  minAttempt?: number;
  actorType?: string;
  actorId?: string;
  idempotencyKey?: string;
  errorCode?: string;
  since?: number;
  until?: number;
  cursor?: string;
  limit?: number;
}

export interface InvocationPage {
  items: InvocationRow[];
  nextCursor?: string;
  /** What the store cannot serve, so the UI says so instead of pretending. */
  unsupported?: string[];
}

/** One journal entry, as the timeline draws it. */
export interface TimelineEntry {
  position: number;
  kind: string;
  name: string;
  status: 'done' | 'pending';
  /** Bytes of the journaled value. */
  resultSize?: number;
  value?: unknown;
  error?: ErrorInfo;
  startedAt?: number;
  finishedAt?: number;
  /** The durable promise or callee invocation this entry refers to. */
  ref?: { promiseId?: string; invocationId?: string };
}

/** A trace event with its references resolved to things Studio can open. */
export interface TraceEventView {
  type: string;
  at: number;
  refs: Record<string, Record<string, unknown>>;
  /** Each reference as a link into Studio: the invocation, message, state version or lease it names. */
  links: { label: string; href: string }[];
  errorCode?: string;
}

export interface InvocationDetail {
  invocation: InvocationRow & {
    partition: number;
    args: unknown;
    result?: unknown;
    notBefore?: number;
    waitingOn?: string;
    replyTo?: string;
    meta?: unknown;
    expiresAt?: number;
  };
  timeline: TimelineEntry[];
  /** Whether the journal is still kept (it is dropped once the invocation completes). */
  journalKept: boolean;
  /** The invocation that called this one, when it was an actor-to-actor call. */
  caller?: string;
  /** Invocations this one called. */
  callees: string[];
  traces: TraceEventView[];
  /** What the store can do for this invocation's actions now. */
  actions: { cancel: boolean; retryNow: boolean; redrive: boolean; restart: boolean; resolvePromise?: string };
}

export interface ActorRow {
  actorType: string;
  actorId: string;
  version: number;
  state: unknown;
}

export interface ActorDetail extends ActorRow {
  /** False when the actor has no committed state yet. */
  exists: boolean;
  /** Whether this store can edit state (the admin API's optimistic edit). */
  editable: boolean;
  /** Pending invocations of this actor, newest first (at most 20). */
  pending: InvocationRow[];
}

export interface PartitionRow {
  partition: number;
  owner?: string;
  epoch?: number;
  expiresAt?: number;
  live: boolean;
}

export interface PartitionsView {
  now: number;
  members: string[];
  partitions: PartitionRow[];
  /** Invocations finished per 10 s bucket over the last minutes, when the store can count them. */
  throughput?: { at: number; completed: number }[];
  /** Pending invocations per partition (the queue depth) and the oldest one's age, when the store can count them. */
  queues?: { partition: number; depth: number; oldestAt?: number }[];
  /** True when there were more pending invocations than Studio reads for the depths: they are lower bounds. */
  depthCapped?: boolean;
}

export interface ActorTypeView {
  name: string;
  methods: string[];
  defaultHandler: string;
  settings: Record<string, unknown>;
}

export interface OverviewView {
  store: string;
  readOnly: boolean;
  canInvoke: boolean;
  types: ActorTypeView[];
  capabilities: { admin: boolean; traces: boolean; durable: boolean; shared: boolean };
}

/** A bulk action over a filter: asked first with dryRun for the count, then run as a job. */
export interface BulkRequest {
  action: BulkAction;
  query: InvocationQuery;
  dryRun?: boolean;
  /** For cancel: the message the caller sees. */
  reason?: string;
}

/** A bulk job's state, polled by the UI while it runs. */
export interface BulkJob {
  id: string;
  action: BulkAction;
  running: boolean;
  result: BulkResult;
}

export interface InvokeRequest {
  actorType: string;
  actorId: string;
  method: string;
  args: unknown[];
  idempotencyKey?: string;
  mode: 'call' | 'send';
}

export interface InvokeResponse {
  invocationId?: string;
  duplicate?: boolean;
  result?: unknown;
  error?: ErrorInfo;
}

export interface ActionResponse {
  ok: boolean;
  message: string;
  invocationId?: string;
}

/** Every error the API returns: a stable code and a message naming the fix. */
export interface ApiError {
  error: { code: string; message: string };
}
