import { NOW_MS } from './common.js';

/**
 * One whole turn in one statement (one round trip), all or nothing. The CTEs
 * run in the order their data dependencies impose:
 *
 *  1. `lease`: the fence. FOR SHARE makes a concurrent acquire (an UPDATE of
 *     that row) wait until this transaction ends, and makes this read see an
 *     acquire that committed first: no commit carrying an old epoch can land
 *     after a new holder got its lease.
 *  2. `inv`: the invocation, locked only when the fence holds, so that a fenced
 *     writer never blocks the owner.
 *  3. `state_first` / `state_next`: the state write, conditional on the version
 *     (0 = no row yet); it is itself the version check.
 *  4. `gate`: every check passed. Each write below is conditional on it, so a
 *     rejected turn writes nothing and needs no savepoint.
 *
 * Parameters: $1 partition, $2 invocation id, $3 epoch; state $4 actor type,
 * $5 actor id, $6 state JSON, $7 expected version (NULL: no state write);
 * journal $8..$13 (seq, kind, name, status, value, error, as arrays); the
 * transition $14 ('none' | 'pending' | 'completed' | 'failed' | 'dead'),
 * $15 attempt, $16 not_before, $17 error, $18 waiting_on, $19 its promise's
 * owner, $20 result, $21 expires_at; idempotency records $22..$26 (arrays).
 *
 * A pending transition that waits on a promise inserts a placeholder row for
 * it: when the promise is resolved already the insert returns nothing and the
 * invocation is woken at once; otherwise the placeholder makes any resolution
 * in flight wait for this transaction, and then find the waiter (see the
 * promises table).
 */
export const commitTurn = `
WITH lease AS (
  SELECT epoch FROM loom.leases WHERE partition = $1 AND owner IS NOT NULL FOR SHARE
), inv AS (
  SELECT status FROM loom.invocations
  WHERE id = $2 AND EXISTS (SELECT 1 FROM lease WHERE epoch = $3::bigint)
  FOR UPDATE
), state_first AS (
  INSERT INTO loom.states (actor_type, actor_id, state_json, version)
  SELECT $4, $5, $6, 1 WHERE $7::bigint = 0 AND EXISTS (SELECT 1 FROM inv WHERE status = 'pending')
  ON CONFLICT (actor_type, actor_id) DO NOTHING
  RETURNING 1
), state_next AS (
  UPDATE loom.states SET state_json = $6, version = version + 1
  WHERE actor_type = $4 AND actor_id = $5 AND version = $7::bigint AND $7::bigint > 0
    AND EXISTS (SELECT 1 FROM inv WHERE status = 'pending')
  RETURNING 1
), gate AS (
  SELECT EXISTS (SELECT 1 FROM inv WHERE status = 'pending')
    AND ($7::bigint IS NULL OR EXISTS (SELECT 1 FROM state_first) OR EXISTS (SELECT 1 FROM state_next)) AS ok
), journal AS (
  INSERT INTO loom.journal (invocation_id, seq, kind, name, status, value_json, error_json)
  SELECT $2, x.* FROM unnest($8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
    AS x(seq, kind, name, status, value_json, error_json)
  WHERE (SELECT ok FROM gate)
  ON CONFLICT (invocation_id, seq) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,
    status = EXCLUDED.status, value_json = EXCLUDED.value_json, error_json = EXCLUDED.error_json
), placeholder AS (
  INSERT INTO loom.promises AS p (id, owner, resolved, awaited, created_at)
  SELECT $18, $19, false, true, ${NOW_MS}
  WHERE $14::text = 'pending' AND $18::text IS NOT NULL AND (SELECT ok FROM gate)
  ON CONFLICT (id) DO UPDATE SET awaited = true WHERE NOT p.resolved
  RETURNING p.id
), woken AS (
  SELECT $14::text = 'pending' AND $18::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM placeholder) AS yes
), transition AS (
  UPDATE loom.invocations SET
    started = true,
    updated_at = ${NOW_MS},
    status = CASE WHEN $14::text IN ('completed', 'failed', 'dead') THEN $14::text ELSE status END,
    attempt = CASE WHEN $14::text IN ('pending', 'failed', 'dead') THEN $15::int ELSE attempt END,
    not_before = CASE $14::text WHEN 'none' THEN not_before WHEN 'pending' THEN $16::bigint ELSE NULL END,
    error_json = CASE WHEN $14::text IN ('failed', 'dead') THEN $17::text
      WHEN $14::text = 'pending' THEN COALESCE($17::text, error_json) ELSE error_json END,
    waiting_on = CASE WHEN $14::text = 'none' THEN waiting_on
      WHEN $14::text = 'pending' AND NOT (SELECT yes FROM woken) THEN $18::text ELSE NULL END,
    wake_seq = CASE WHEN (SELECT yes FROM woken) THEN nextval('loom.wake_seq') ELSE wake_seq END,
    result_json = CASE WHEN $14::text = 'completed' THEN $20::text ELSE result_json END,
    expires_at = CASE WHEN $14::text IN ('completed', 'failed', 'dead') THEN $21::bigint ELSE expires_at END
  WHERE id = $2 AND (SELECT ok FROM gate)
), journal_gone AS (
  -- A dead invocation keeps its journal (and promises) for a redrive.
  DELETE FROM loom.journal
  WHERE invocation_id = $2 AND $14::text IN ('completed', 'failed') AND (SELECT ok FROM gate)
), promises_gone AS (
  DELETE FROM loom.promises
  WHERE owner = $2 AND $14::text IN ('completed', 'failed') AND (SELECT ok FROM gate)
), idempotency AS (
  INSERT INTO loom.actor_idempotency (actor_type, actor_id, key, result_json, expires_at)
  SELECT x.* FROM unnest($22::text[], $23::text[], $24::text[], $25::text[], $26::bigint[])
    AS x(actor_type, actor_id, key, result_json, expires_at)
  WHERE (SELECT ok FROM gate)
  ON CONFLICT (actor_type, actor_id, key) DO UPDATE SET result_json = EXCLUDED.result_json,
    expires_at = EXCLUDED.expires_at
)
SELECT (SELECT epoch FROM lease) AS epoch, (SELECT status FROM inv) AS status, (SELECT ok FROM gate) AS ok`;
