/**
 * The transaction's start on the database clock, in epoch ms. `now()` stays
 * fixed for a whole transaction, so every row a batch writes agrees on it, and
 * no decision ever rests on a worker's clock.
 */
export const NOW_MS = `floor(extract(epoch FROM now()) * 1000)::bigint`;

/**
 * Spelled out rather than `*`: a prepared statement returning `*` breaks on
 * its connection once a later migration adds a column.
 */
export const INVOCATION_COLUMNS = `id, seq, actor_type, actor_id, method, args_json, idempotency_key, partition,
  not_before, meta_json, reply_to, ttl_ms, status, started, attempt, waiting_on, wake_seq, result_json,
  error_json, created_at, updated_at, expires_at`;
