import { INVOCATION_COLUMNS, NOW_MS } from './common.js';

/** Back to pending with attempt 0, journal kept; a new wake_seq so that pollers pick it up. */
export const redrive = `
UPDATE loom.invocations SET status = 'pending', attempt = 0, wake_seq = nextval('loom.wake_seq'),
  updated_at = ${NOW_MS}, expires_at = NULL, not_before = NULL
WHERE id = $1 AND status = 'dead'
RETURNING ${INVOCATION_COLUMNS}`;

/** Removes what expired by `$1` (the caller's clock, as the port defines it) and counts it. */
export const sweep = `
WITH gone AS (
  DELETE FROM loom.invocations WHERE status <> 'pending' AND expires_at <= $1 RETURNING id
), journal AS (
  DELETE FROM loom.journal WHERE invocation_id IN (SELECT id FROM gone)
), promises AS (
  DELETE FROM loom.promises WHERE owner IN (SELECT id FROM gone)
), idempotency AS (
  DELETE FROM loom.actor_idempotency WHERE expires_at <= $1 RETURNING 1
)
SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM idempotency) AS n`;

/** The statement's time rather than the transaction's: this is a clock reading. */
export const now = `
SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now`;
