/**
 * `Store.write` as one statement: the enqueue batch and the commit batch of
 * migration 003 called one after the other by one function, so that the new
 * invocations and the turns of a group commit share one round trip, one
 * transaction and one WAL flush instead of two of each.
 *
 * The enqueues run first: every statement of the commit batch then sees them
 * (later statements of a transaction see its earlier writes), so a turn may
 * belong to an invocation enqueued by the same call. Neither batch rolls back
 * on an item's rejection, so the items stay as independent as in two calls.
 * Like the functions it calls, it returns NULL, having written nothing,
 * outside READ COMMITTED; checking first means neither half runs alone.
 *
 * Returns {"e": <as loom_enqueue_batch>, "c": <as loom_commit_batch>}.
 */
export const migration004WriteBatch = `
CREATE OR REPLACE FUNCTION loom.loom_write_batch(p_items jsonb, p_turns jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_enqueued jsonb;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RETURN NULL;
  END IF;
  -- A statement of its own: SQL leaves the order of a call's arguments open.
  v_enqueued := loom.loom_enqueue_batch(p_items);
  RETURN jsonb_build_object('e', v_enqueued, 'c', loom.loom_commit_batch(p_turns));
END
$fn$;
`;
