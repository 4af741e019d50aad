import type { EnqueueResult, NewInvocation } from '../../ports/store.js';
import { checkInvocationText } from '../../ports/encode-items.js';
import { jsonOrNull, toInvocation, type InvocationRow } from './rows.js';

/** One item of `loom_enqueue_batch` (migration 003): the columns of a new invocation. */
export interface ItemJson {
  id: string;
  actor_type: string;
  actor_id: string;
  method: string;
  args_json: string;
  idempotency_key: string | null;
  partition: number;
  not_before: number | null;
  meta_json: string | null;
  reply_to: string | null;
  ttl_ms: number;
}

/** What `loom_enqueue_batch` returns per item: the row (bigints as JSON numbers) and whether it was a duplicate. */
export interface EnqueuedJson {
  r: InvocationRow;
  d: boolean;
}

/** One item of the argument of `loom_enqueue_batch`; throws, naming the field, for text PostgreSQL cannot hold. */
export function checkedItemJson(item: NewInvocation): ItemJson {
  checkInvocationText(item);
  return itemJson(item);
}

export function itemJson(i: NewInvocation): ItemJson {
  return {
    id: i.id,
    actor_type: i.actorType,
    actor_id: i.actorId,
    method: i.method,
    args_json: i.argsJson,
    idempotency_key: i.idempotencyKey ?? null,
    partition: i.partition,
    not_before: i.notBefore ?? null,
    meta_json: jsonOrNull(i.meta),
    reply_to: i.replyTo ?? null,
    ttl_ms: i.ttlMs,
  };
}

/**
 * The results of `loom_enqueue_batch`, in input order. It applies the Store's
 * dedupe rules (an existing id, or a live invocation with the same
 * (actorType, actorId, idempotencyKey), makes the item a duplicate of it); the
 * unique index and ON CONFLICT make them hold under concurrency.
 */
export function toEnqueueResults(out: readonly EnqueuedJson[], items: readonly NewInvocation[]): EnqueueResult[] {
  if (out.length !== items.length) throw new Error(`loom_enqueue_batch returned ${out.length} results for ${items.length} invocations`);
  return out.map((x) => ({ record: toInvocation(x.r), duplicate: x.d }));
}
