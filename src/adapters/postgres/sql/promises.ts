import { NOW_MS } from './common.js';

/**
 * Records a resolution unless the promise is resolved already or its owner
 * invocation has ended (completed or failed), and wakes its waiter. FOR KEY
 * SHARE on the owner makes a resolution wait for an owner's turn in flight, so
 * that a completing owner cannot miss, and leave behind, a promise resolved
 * meanwhile. Returns no row when this resolution lost.
 *
 * The wake-up sees the statement's snapshot: it misses a waiter whose
 * suspension committed while the insert waited on that waiter's placeholder.
 * When the promise was awaited and nobody was woken, the caller runs
 * `wakeWaiter` for a fresh look.
 */
export const resolvePromise = `
WITH parent AS (
  SELECT status FROM loom.invocations WHERE id = $2 FOR KEY SHARE
), won AS (
  INSERT INTO loom.promises AS p (id, owner, resolved, value_json, error_json, created_at)
  SELECT $1, $2, true, $3, $4, ${NOW_MS}
  WHERE NOT EXISTS (SELECT 1 FROM parent WHERE status IN ('completed', 'failed'))
  ON CONFLICT (id) DO UPDATE SET resolved = true, value_json = EXCLUDED.value_json,
    error_json = EXCLUDED.error_json, created_at = EXCLUDED.created_at
  WHERE NOT p.resolved
  RETURNING p.awaited
), woken AS (
  UPDATE loom.invocations SET waiting_on = NULL, wake_seq = nextval('loom.wake_seq')
  WHERE waiting_on = $1 AND status = 'pending' AND EXISTS (SELECT 1 FROM won)
  RETURNING id
)
SELECT won.awaited, (SELECT count(*) FROM woken) AS woken FROM won`;

/** Wakes the invocation waiting on a promise just resolved; a statement of its own for a fresh snapshot. */
export const wakeWaiter = `
UPDATE loom.invocations SET waiting_on = NULL, wake_seq = nextval('loom.wake_seq')
WHERE waiting_on = $1 AND status = 'pending'`;

/** A resolved promise; placeholders of waiters do not count. */
export const getPromise = `
SELECT id, value_json, error_json FROM loom.promises WHERE id = $1 AND resolved`;
