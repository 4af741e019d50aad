import type { ErrorInfo } from '../../core/errors.js';
import type { InvocationMeta, InvocationRecord, InvocationStatus, JournalEntry, StateRecord } from '../../ports/store.js';
import type { Lease } from '../../ports/lease.js';

/** pg returns bigint as a string (it may exceed 2^53); Loom's values never do. */
type Int8 = string;

export interface InvocationRow {
  id: string;
  seq: Int8;
  actor_type: string;
  actor_id: string;
  method: string;
  args_json: string;
  idempotency_key: string | null;
  partition: number;
  not_before: Int8 | null;
  meta_json: string | null;
  reply_to: string | null;
  ttl_ms: Int8;
  status: InvocationStatus;
  started: boolean;
  attempt: number;
  waiting_on: string | null;
  wake_seq: Int8;
  result_json: string | null;
  error_json: string | null;
  created_at: Int8;
  updated_at: Int8;
  expires_at: Int8 | null;
}

/** Absent optional fields stay absent, as in the memory store, rather than becoming null. */
export function toInvocation(r: InvocationRow): InvocationRecord {
  const rec: InvocationRecord = {
    id: r.id,
    actorType: r.actor_type,
    actorId: r.actor_id,
    method: r.method,
    argsJson: r.args_json,
    partition: r.partition,
    ttlMs: Number(r.ttl_ms),
    seq: Number(r.seq),
    status: r.status,
    started: r.started,
    attempt: r.attempt,
    wakeSeq: Number(r.wake_seq),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
  if (r.idempotency_key !== null) rec.idempotencyKey = r.idempotency_key;
  if (r.not_before !== null) rec.notBefore = Number(r.not_before);
  if (r.meta_json !== null) rec.meta = JSON.parse(r.meta_json) as InvocationMeta;
  if (r.reply_to !== null) rec.replyTo = r.reply_to;
  if (r.waiting_on !== null) rec.waitingOn = r.waiting_on;
  if (r.result_json !== null) rec.resultJson = r.result_json;
  if (r.error_json !== null) rec.error = JSON.parse(r.error_json) as ErrorInfo;
  if (r.expires_at !== null) rec.expiresAt = Number(r.expires_at);
  return rec;
}

export interface StateRow {
  actor_type: string;
  actor_id: string;
  state_json: string;
  version: Int8;
}

export function toState(r: StateRow): StateRecord {
  return { actorType: r.actor_type, actorId: r.actor_id, stateJson: r.state_json, version: Number(r.version) };
}

export interface JournalRow {
  seq: number;
  kind: JournalEntry['kind'];
  name: string;
  status: JournalEntry['status'];
  value_json: string | null;
  error_json: string | null;
}

export function toJournalEntry(r: JournalRow): JournalEntry {
  const e: JournalEntry = { seq: r.seq, kind: r.kind, name: r.name, status: r.status };
  if (r.value_json !== null) e.valueJson = r.value_json;
  if (r.error_json !== null) e.error = JSON.parse(r.error_json) as ErrorInfo;
  return e;
}

export interface LeaseRow {
  partition: number;
  owner: string;
  epoch: Int8;
  expires_at: Int8;
}

export function toLease(r: LeaseRow): Lease {
  return { partition: r.partition, owner: r.owner, epoch: Number(r.epoch), expiresAt: Number(r.expires_at) };
}

/** JSON text of an optional object, or null for SQL. */
export function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
