import type { ErrorInfo } from '../../core/errors.js';
import type { InvocationRecord, InvocationStatus, JournalEntry } from '../../ports/store.js';

/** A row of loom_invocations as better-sqlite3 returns it. */
export interface InvocationRow {
  id: string;
  seq: number;
  actor_type: string;
  actor_id: string;
  method: string;
  args_json: string;
  idempotency_key: string | null;
  partition: number;
  status: string;
  started: number;
  attempt: number;
  not_before: number | null;
  waiting_on: string | null;
  wake_seq: number;
  reply_to: string | null;
  ttl_ms: number;
  meta_json: string | null;
  result_json: string | null;
  error_json: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
}

export interface JournalRow {
  seq: number;
  kind: string;
  name: string;
  status: string;
  value_json: string | null;
  error_json: string | null;
}

export function toRecord(r: InvocationRow): InvocationRecord {
  const rec: InvocationRecord = {
    id: r.id,
    seq: r.seq,
    actorType: r.actor_type,
    actorId: r.actor_id,
    method: r.method,
    argsJson: r.args_json,
    partition: r.partition,
    status: r.status as InvocationStatus,
    started: r.started === 1,
    attempt: r.attempt,
    wakeSeq: r.wake_seq,
    ttlMs: r.ttl_ms,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.idempotency_key !== null) rec.idempotencyKey = r.idempotency_key;
  if (r.not_before !== null) rec.notBefore = r.not_before;
  if (r.waiting_on !== null) rec.waitingOn = r.waiting_on;
  if (r.reply_to !== null) rec.replyTo = r.reply_to;
  if (r.meta_json !== null) rec.meta = JSON.parse(r.meta_json) as InvocationRecord['meta'];
  if (r.result_json !== null) rec.resultJson = r.result_json;
  if (r.error_json !== null) rec.error = JSON.parse(r.error_json) as ErrorInfo;
  if (r.expires_at !== null) rec.expiresAt = r.expires_at;
  return rec;
}

export function toEntry(r: JournalRow): JournalEntry {
  const e: JournalEntry = { seq: r.seq, kind: r.kind as JournalEntry['kind'], name: r.name, status: r.status as JournalEntry['status'] };
  if (r.value_json !== null) e.valueJson = r.value_json;
  if (r.error_json !== null) e.error = JSON.parse(r.error_json) as ErrorInfo;
  return e;
}
