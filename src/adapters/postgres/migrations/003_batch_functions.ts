/**
 * The write paths as PL/pgSQL functions, so that a whole group-commit batch
 * (or enqueue batch, or promise resolution) is one statement: one round trip
 * and, in autocommit, one transaction and one WAL flush.
 *
 * Each function does statement by statement what the adapter's TypeScript did
 * with one round trip each. A VOLATILE function under READ COMMITTED takes a
 * fresh snapshot for every statement it runs, exactly as separate statements
 * of a transaction do, so the locking arguments of that code carry over as
 * they are. The locking assumes READ COMMITTED: in any other isolation level
 * a function returns NULL, having written nothing, and the adapter runs it
 * again inside an explicit READ COMMITTED transaction.
 *
 * Every name is qualified with `loom.`, rebound to the configured schema like
 * the rest of the migrations: a function only ever touches its own schema.
 * The timestamps use `now()`, fixed for the whole transaction, as before.
 *
 * Inputs are JSON arrays of objects whose keys are the column names below;
 * payloads (state, arguments, results) travel as JSON strings holding the
 * JSON text the core produced, and are stored as that text.
 */
export const migration003BatchFunctions = `
/*
 * Inserts invocations in input order (seq follows it) with the Store's dedupe
 * rules: an existing id, or a live invocation with the same (actor_type,
 * actor_id, idempotency_key), makes an item a duplicate of that row. An
 * expired holder of the key is marked superseded first, so that the unique
 * index lets the new one in (the old row stays readable by id until swept).
 * ON CONFLICT waits for a concurrent inserter of the same id or key to end.
 * A row can vanish between the insert that skipped an item and the read that
 * looks for it (a concurrent sweep), or expire in that window; the item then
 * goes round again, at most 5 times.
 *
 * Returns [{"r": <invocation row>, "d": <duplicate>}, ...] in input order.
 */
CREATE OR REPLACE FUNCTION loom.loom_enqueue_batch(p_items jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_now bigint := floor(extract(epoch FROM now()) * 1000)::bigint;
  v_it record;
  v_row loom.invocations%ROWTYPE;
  v_out jsonb[] := '{}';
  v_round int;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RETURN NULL;
  END IF;
  FOR v_it IN
    SELECT * FROM jsonb_to_recordset(p_items) AS x(id text, actor_type text, actor_id text, method text,
      args_json text, idempotency_key text, partition int, not_before bigint, meta_json text, reply_to text,
      ttl_ms bigint)
  LOOP
    v_round := 0;
    LOOP
      v_round := v_round + 1;
      IF v_round > 5 THEN
        RAISE EXCEPTION 'invocation % could be neither inserted nor found after 5 rounds', v_it.id;
      END IF;
      IF v_it.idempotency_key IS NOT NULL THEN
        -- An item whose id exists is a duplicate by id whatever its key: it frees nothing.
        UPDATE loom.invocations i SET superseded = true
        WHERE i.actor_type = v_it.actor_type AND i.actor_id = v_it.actor_id
          AND i.idempotency_key = v_it.idempotency_key
          AND NOT i.superseded AND i.expires_at <= v_now
          AND NOT EXISTS (SELECT 1 FROM loom.invocations same WHERE same.id = v_it.id);
      END IF;
      INSERT INTO loom.invocations (id, seq, actor_type, actor_id, method, args_json, idempotency_key, partition,
        not_before, meta_json, reply_to, ttl_ms, status, started, attempt, wake_seq, created_at, updated_at)
      VALUES (v_it.id, nextval('loom.invocation_seq'), v_it.actor_type, v_it.actor_id, v_it.method, v_it.args_json,
        v_it.idempotency_key, v_it.partition, v_it.not_before, v_it.meta_json, v_it.reply_to, v_it.ttl_ms,
        'pending', false, 0, nextval('loom.wake_seq'), v_now, v_now)
      ON CONFLICT DO NOTHING
      RETURNING * INTO v_row;
      IF FOUND THEN
        v_out := array_append(v_out, jsonb_build_object('r', to_jsonb(v_row), 'd', false));
        EXIT;
      END IF;
      -- Skipped: find the row that kept it out, by id first, then by live key.
      SELECT * INTO v_row FROM loom.invocations i WHERE i.id = v_it.id;
      IF FOUND THEN
        v_out := array_append(v_out, jsonb_build_object('r', to_jsonb(v_row), 'd', true));
        EXIT;
      END IF;
      IF v_it.idempotency_key IS NOT NULL THEN
        SELECT * INTO v_row FROM loom.invocations i
        WHERE i.actor_type = v_it.actor_type AND i.actor_id = v_it.actor_id
          AND i.idempotency_key = v_it.idempotency_key AND NOT i.superseded;
        IF FOUND AND NOT coalesce(v_row.expires_at <= v_now, false) THEN
          v_out := array_append(v_out, jsonb_build_object('r', to_jsonb(v_row), 'd', true));
          EXIT;
        END IF;
      END IF;
    END LOOP;
  END LOOP;
  RETURN to_jsonb(v_out);
END
$fn$;

/*
 * Records a resolution unless the promise is resolved already or its owner
 * invocation has ended (completed or failed), and wakes its waiter. FOR KEY
 * SHARE on the owner makes a resolution wait for an owner's turn in flight, so
 * that a completing owner cannot miss, and leave behind, a promise resolved
 * meanwhile. Returns false when this resolution lost.
 *
 * The first wake-up sees its statement's snapshot: it misses a waiter whose
 * suspension committed while the insert waited on that waiter's placeholder.
 * When the promise was awaited and nobody was woken, a second statement (a
 * fresh snapshot) looks again.
 */
CREATE OR REPLACE FUNCTION loom.loom_resolve_promise(p_id text, p_owner text, p_value text, p_error text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_now bigint := floor(extract(epoch FROM now()) * 1000)::bigint;
  v_awaited boolean;
  v_woken bigint;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RETURN NULL;
  END IF;
  WITH parent AS (
    SELECT status FROM loom.invocations WHERE id = p_owner FOR KEY SHARE
  ), won AS (
    INSERT INTO loom.promises AS p (id, owner, resolved, value_json, error_json, created_at)
    SELECT p_id, p_owner, true, p_value, p_error, v_now
    WHERE NOT EXISTS (SELECT 1 FROM parent WHERE status IN ('completed', 'failed'))
    ON CONFLICT (id) DO UPDATE SET resolved = true, value_json = EXCLUDED.value_json,
      error_json = EXCLUDED.error_json, created_at = EXCLUDED.created_at
    WHERE NOT p.resolved
    RETURNING p.awaited
  ), woken AS (
    UPDATE loom.invocations SET waiting_on = NULL, wake_seq = nextval('loom.wake_seq')
    WHERE waiting_on = p_id AND status = 'pending' AND EXISTS (SELECT 1 FROM won)
    RETURNING id
  )
  SELECT won.awaited, (SELECT count(*) FROM woken) INTO v_awaited, v_woken FROM won;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF v_awaited AND v_woken = 0 THEN
    UPDATE loom.invocations SET waiting_on = NULL, wake_seq = nextval('loom.wake_seq')
    WHERE waiting_on = p_id AND status = 'pending';
  END IF;
  RETURN true;
END
$fn$;

/*
 * Applies a batch of turns, in order, in the caller's one transaction. All
 * checks of a turn run before any of its writes, and lock what they read
 * until the transaction ends, so a rejected turn wrote nothing and needs no
 * savepoint (which also keeps a large batch clear of the 64-entry
 * subtransaction cache):
 *
 *  1. The fence: the partition's lease row, FOR SHARE. That makes a
 *     concurrent acquire (an UPDATE of that row) wait until this transaction
 *     ends, and makes this read see an acquire that committed first: no
 *     commit carrying an old epoch can land after a new holder got its lease.
 *     Since the lock holds to the end, a later turn of the batch on the same
 *     partition reuses the epoch read.
 *  2. The invocation, FOR UPDATE, only when the fence holds, so that a fenced
 *     writer never blocks the owner; it must still be pending.
 *  3. The state write, conditional on the version (0 = no row yet): it is
 *     itself the version check.
 *
 * Then the writes, each only when the turn has something for it. A pending
 * transition that waits on a promise inserts a placeholder row for it: when
 * the promise is resolved already the insert returns nothing and the
 * invocation is woken at once; otherwise the placeholder makes any resolution
 * in flight wait for this transaction, and then find the waiter. The outbox
 * and the resolutions read what other transactions commit meanwhile, each
 * statement with a fresh snapshot.
 *
 * A turn's keys: partition, invocation_id, epoch; the state write actor_type,
 * actor_id, state_json, expected_version (NULL: none); journal (rows to upsert,
 * distinct seqs; never with a completed or failed transition); the transition
 * tr ('none' | 'pending' | 'completed' | 'failed' | 'dead'), attempt,
 * not_before, error_json, waiting_on and its promise's waiting_owner,
 * result_json, expires_at; idempotency (records, distinct keys); outbox (items
 * as for loom_enqueue_batch); resolve ({id, owner, value_json, error_json}).
 *
 * Returns [{"o": "ok", "e": <as loom_enqueue_batch>} | {"o": "fenced"} | {"o": "conflict"}, ...].
 */
CREATE OR REPLACE FUNCTION loom.loom_commit_batch(p_turns jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_now bigint := floor(extract(epoch FROM now()) * 1000)::bigint;
  v_tw record;
  v_res record;
  v_parts int[] := '{}';
  v_epochs bigint[] := '{}';
  v_at int;
  v_epoch bigint;
  v_status text;
  v_woken boolean;
  v_enqueued jsonb;
  v_out jsonb[] := '{}';
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RETURN NULL;
  END IF;
  FOR v_tw IN
    SELECT * FROM jsonb_to_recordset(p_turns) AS x(partition int, invocation_id text, epoch bigint,
      actor_type text, actor_id text, state_json text, expected_version bigint, journal jsonb, tr text,
      attempt int, not_before bigint, error_json text, waiting_on text, waiting_owner text, result_json text,
      expires_at bigint, idempotency jsonb, outbox jsonb, resolve jsonb)
  LOOP
    -- 1. The fence.
    v_at := array_position(v_parts, v_tw.partition);
    IF v_at IS NOT NULL THEN
      v_epoch := v_epochs[v_at];
    ELSE
      SELECT l.epoch INTO v_epoch FROM loom.leases l
      WHERE l.partition = v_tw.partition AND l.owner IS NOT NULL FOR SHARE;
      IF FOUND THEN
        v_parts := array_append(v_parts, v_tw.partition);
        v_epochs := array_append(v_epochs, v_epoch);
      END IF;
    END IF;
    IF v_epoch IS NULL OR v_epoch <> v_tw.epoch THEN
      v_out := array_append(v_out, '{"o": "fenced"}'::jsonb);
      CONTINUE;
    END IF;

    -- 2. The invocation.
    SELECT i.status INTO v_status FROM loom.invocations i WHERE i.id = v_tw.invocation_id FOR UPDATE;
    IF v_status IS DISTINCT FROM 'pending' THEN
      v_out := array_append(v_out, '{"o": "conflict"}'::jsonb);
      CONTINUE;
    END IF;

    -- 3. The state write.
    IF v_tw.expected_version IS NOT NULL THEN
      IF v_tw.expected_version = 0 THEN
        INSERT INTO loom.states (actor_type, actor_id, state_json, version)
        VALUES (v_tw.actor_type, v_tw.actor_id, v_tw.state_json, 1)
        ON CONFLICT (actor_type, actor_id) DO NOTHING;
      ELSE
        UPDATE loom.states s SET state_json = v_tw.state_json, version = s.version + 1
        WHERE s.actor_type = v_tw.actor_type AND s.actor_id = v_tw.actor_id
          AND s.version = v_tw.expected_version AND v_tw.expected_version > 0;
      END IF;
      IF NOT FOUND THEN
        v_out := array_append(v_out, '{"o": "conflict"}'::jsonb);
        CONTINUE;
      END IF;
    END IF;

    -- Every check passed: the writes.
    IF v_tw.journal IS NOT NULL THEN
      INSERT INTO loom.journal (invocation_id, seq, kind, name, status, value_json, error_json)
      SELECT v_tw.invocation_id, j.seq, j.kind, j.name, j.status, j.value_json, j.error_json
      FROM jsonb_to_recordset(v_tw.journal) AS j(seq int, kind text, name text, status text, value_json text, error_json text)
      ON CONFLICT (invocation_id, seq) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,
        status = EXCLUDED.status, value_json = EXCLUDED.value_json, error_json = EXCLUDED.error_json;
    END IF;

    v_woken := false;
    IF v_tw.tr = 'pending' AND v_tw.waiting_on IS NOT NULL THEN
      INSERT INTO loom.promises AS p (id, owner, resolved, awaited, created_at)
      VALUES (v_tw.waiting_on, v_tw.waiting_owner, false, true, v_now)
      ON CONFLICT (id) DO UPDATE SET awaited = true WHERE NOT p.resolved;
      v_woken := NOT FOUND;
    END IF;

    UPDATE loom.invocations i SET
      started = true,
      updated_at = v_now,
      status = CASE WHEN v_tw.tr IN ('completed', 'failed', 'dead') THEN v_tw.tr ELSE i.status END,
      attempt = CASE WHEN v_tw.tr IN ('pending', 'failed', 'dead') THEN v_tw.attempt ELSE i.attempt END,
      not_before = CASE v_tw.tr WHEN 'none' THEN i.not_before WHEN 'pending' THEN v_tw.not_before ELSE NULL END,
      error_json = CASE WHEN v_tw.tr IN ('failed', 'dead') THEN v_tw.error_json
        WHEN v_tw.tr = 'pending' THEN coalesce(v_tw.error_json, i.error_json) ELSE i.error_json END,
      waiting_on = CASE WHEN v_tw.tr = 'none' THEN i.waiting_on
        WHEN v_tw.tr = 'pending' AND NOT v_woken THEN v_tw.waiting_on ELSE NULL END,
      wake_seq = CASE WHEN v_woken THEN nextval('loom.wake_seq') ELSE i.wake_seq END,
      result_json = CASE WHEN v_tw.tr = 'completed' THEN v_tw.result_json ELSE i.result_json END,
      expires_at = CASE WHEN v_tw.tr IN ('completed', 'failed', 'dead') THEN v_tw.expires_at ELSE i.expires_at END
    WHERE i.id = v_tw.invocation_id;

    IF v_tw.tr IN ('completed', 'failed') THEN
      -- A dead invocation keeps its journal (and promises) for a redrive.
      DELETE FROM loom.journal j WHERE j.invocation_id = v_tw.invocation_id;
      DELETE FROM loom.promises pr WHERE pr.owner = v_tw.invocation_id;
    END IF;

    IF v_tw.idempotency IS NOT NULL THEN
      INSERT INTO loom.actor_idempotency (actor_type, actor_id, key, result_json, expires_at)
      SELECT k.actor_type, k.actor_id, k.key, k.result_json, k.expires_at
      FROM jsonb_to_recordset(v_tw.idempotency)
        AS k(actor_type text, actor_id text, key text, result_json text, expires_at bigint)
      ON CONFLICT (actor_type, actor_id, key) DO UPDATE SET result_json = EXCLUDED.result_json,
        expires_at = EXCLUDED.expires_at;
    END IF;

    v_enqueued := '[]'::jsonb;
    IF v_tw.outbox IS NOT NULL AND jsonb_array_length(v_tw.outbox) > 0 THEN
      v_enqueued := loom.loom_enqueue_batch(v_tw.outbox);
    END IF;
    IF v_tw.resolve IS NOT NULL THEN
      FOR v_res IN
        SELECT * FROM jsonb_to_recordset(v_tw.resolve) AS r(id text, owner text, value_json text, error_json text)
      LOOP
        PERFORM loom.loom_resolve_promise(v_res.id, v_res.owner, v_res.value_json, v_res.error_json);
      END LOOP;
    END IF;
    v_out := array_append(v_out, jsonb_build_object('o', 'ok', 'e', v_enqueued));
  END LOOP;
  RETURN to_jsonb(v_out);
END
$fn$;
`;
