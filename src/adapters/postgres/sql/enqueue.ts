import { INVOCATION_COLUMNS, NOW_MS } from './common.js';

/**
 * Frees keys whose holder has expired, so that the unique index lets the new
 * invocation in. The old row is only marked: like in the memory store, it stays
 * readable by id until the sweeper takes it. Skips an item whose id already
 * exists, since that one is a duplicate by id whatever its key.
 */
export const enqueueSupersedeExpired = `
UPDATE loom.invocations i SET superseded = true
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(id, actor_type, actor_id, idempotency_key)
WHERE x.idempotency_key IS NOT NULL
  AND i.actor_type = x.actor_type AND i.actor_id = x.actor_id AND i.idempotency_key = x.idempotency_key
  AND NOT i.superseded AND i.expires_at <= ${NOW_MS}
  AND NOT EXISTS (SELECT 1 FROM loom.invocations same WHERE same.id = x.id)`;

/**
 * Inserts a batch in input order (seq follows it); a row whose id or key is
 * taken is skipped, waiting first for a concurrent inserter of it to finish.
 */
export const enqueueInsert = `
INSERT INTO loom.invocations (id, seq, actor_type, actor_id, method, args_json, idempotency_key, partition,
  not_before, meta_json, reply_to, ttl_ms, status, started, attempt, wake_seq, created_at, updated_at)
SELECT x.id, nextval('loom.invocation_seq'), x.actor_type, x.actor_id, x.method, x.args_json, x.idempotency_key,
  x.partition, x.not_before, x.meta_json, x.reply_to, x.ttl_ms, 'pending', false, 0, nextval('loom.wake_seq'),
  ${NOW_MS}, ${NOW_MS}
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[],
  $9::text[], $10::text[], $11::bigint[])
  AS x(id, actor_type, actor_id, method, args_json, idempotency_key, partition, not_before, meta_json, reply_to, ttl_ms)
ON CONFLICT DO NOTHING
RETURNING ${INVOCATION_COLUMNS}`;

/** The rows that kept skipped items out: same id, or same live (actor_type, actor_id, key). */
export const enqueueFindExisting = `
SELECT ${INVOCATION_COLUMNS}, (expires_at <= ${NOW_MS}) AS expired
FROM loom.invocations WHERE id = ANY($1::text[])
UNION ALL
SELECT ${INVOCATION_COLUMNS}, (expires_at <= ${NOW_MS}) AS expired
FROM unnest($2::text[], $3::text[], $4::text[]) AS k(k_type, k_id, k_key)
JOIN loom.invocations ON actor_type = k_type AND actor_id = k_id AND idempotency_key = k_key AND NOT superseded`;
