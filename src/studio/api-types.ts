/**
 * The JSON shapes of Studio's HTTP API. The server builds them and the UI's typed
 * client reads them (type-only import), so the two cannot drift apart.
 */
import type { ErrorInfo } from '../core/errors.js';

export type { ErrorInfo };

/** Why an unfinished invocation is not running right now, read from the store. */
export interface WaitReason {
  kind: 'running-or-queued' | 'queued' | 'backing-off' | 'sleeping' | 'delayed' | 'awaiting-promise' | 'awaiting-call' | 'no-owner' | 'unknown-type' | 'finished';
  /** One line a person reads: "backing off: attempt 2, next try 12:00:03 (ECONNRESET)". */
  text: string;
  /** The promise, callee invocation or time the reason names, when it names one. */
  ref?: { promiseId?: string; invocationId?: string; until?: number };
}

/** One row of the invocations list. */
export interface InvocationRow {
  id: string;
  actorType: string;
  actorId: string;
  method: string;
  status: string;
  attempt: number;
  idempotencyKey?: string;
  createdAt: number;
  updatedAt: number;
  error?: ErrorInfo;
  reason: WaitReason;
}

/** The tabs and filters of the invocations list. */
export interface InvocationQuery {
  tab?: 'all' | 'not-running' | 'backing-off' | 'dead';
  status?: string;
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
  /** Rows matching the filter, when the store can count them. */
  total?: number;
  /** Filters the current store cannot serve yet, so the UI can say so instead of pretending. */
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
  links: { label: string; href: string }[];
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
  actions: { redrive: boolean; resolvePromise?: string };
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
  /** Whether Studio can edit this store's state (the admin API's optimistic edit). */
  editable: boolean;
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
  /** Completed-invocation counts per 10 s bucket for the last minutes, when the store can count them. */
  throughput?: { at: number; completed: number }[];
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
  capabilities: Record<string, boolean>;
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
