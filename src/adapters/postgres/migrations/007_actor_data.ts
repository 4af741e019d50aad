/**
 * Actor data (ports/actor-data.ts): per-key state and append-only logs beside
 * an actor's state, written by the turn's own transaction and read one key or
 * one range at a time.
 *
 *  - actor_kv: one row per key.
 *  - actor_logs: one row per log holding its bounds (first <= idx < next), so
 *    that an append reads and bumps one row instead of max(idx) of the log.
 *  - actor_log_entries: one row per kept entry, by index; a range read and a
 *    trim are range scans of the primary key, costing what they touch.
 *
 * Keys and names are COLLATE "C" like every id of migration 001: byte order of
 * their UTF-8, which pages them in code-point order with the primary key index.
 *
 * loom_commit_batch is migration 003's, with a `data` key per turn applied by
 * loom_apply_actor_data after every check of the turn passed: a fenced or
 * conflicting turn writes none of it.
 */
export const migration007ActorData = `
CREATE TABLE loom.actor_kv (
  actor_type text COLLATE "C" NOT NULL,
  actor_id   text COLLATE "C" NOT NULL,
  key        text COLLATE "C" NOT NULL,
  value_json text NOT NULL,
  PRIMARY KEY (actor_type, actor_id, key)
);

CREATE TABLE loom.actor_logs (
  actor_type text COLLATE "C" NOT NULL,
  actor_id   text COLLATE "C" NOT NULL,
  name       text COLLATE "C" NOT NULL,
  first      bigint NOT NULL,
  next       bigint NOT NULL,
  PRIMARY KEY (actor_type, actor_id, name)
);

CREATE TABLE loom.actor_log_entries (
  actor_type text COLLATE "C" NOT NULL,
  actor_id   text COLLATE "C" NOT NULL,
  name       text COLLATE "C" NOT NULL,
  idx        bigint NOT NULL,
  value_json text NOT NULL,
  PRIMARY KEY (actor_type, actor_id, name, idx)
);

/*
 * One turn's actor data: {actor_type, actor_id, set: [{key, value_json}],
 * del: [key], logs: [{name, append: [json], trim_before}]}. The caller has
 * resolved the key writes to the last write of each key, so set and del are
 * disjoint. Per log, in order: the bounds row is bumped (and locked) first,
 * the appends take the indexes below the new next, and the trim deletes from
 * first up to trim_before, never past next.
 */
CREATE FUNCTION loom.loom_apply_actor_data(p jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_type text := p ->> 'actor_type';
  v_id text := p ->> 'actor_id';
  v_log record;
  v_n bigint;
  v_first bigint;
  v_next bigint;
  v_upto bigint;
BEGIN
  IF p ? 'set' THEN
    INSERT INTO loom.actor_kv (actor_type, actor_id, key, value_json)
    SELECT v_type, v_id, k.key, k.value_json FROM jsonb_to_recordset(p -> 'set') AS k(key text, value_json text)
    ON CONFLICT (actor_type, actor_id, key) DO UPDATE SET value_json = EXCLUDED.value_json;
  END IF;
  IF p ? 'del' THEN
    DELETE FROM loom.actor_kv k
    WHERE k.actor_type = v_type AND k.actor_id = v_id AND k.key IN (SELECT jsonb_array_elements_text(p -> 'del'));
  END IF;
  IF NOT p ? 'logs' THEN
    RETURN;
  END IF;
  FOR v_log IN SELECT * FROM jsonb_to_recordset(p -> 'logs') AS l(name text, append jsonb, trim_before bigint) LOOP
    v_n := coalesce(jsonb_array_length(v_log.append), 0);
    INSERT INTO loom.actor_logs AS b (actor_type, actor_id, name, first, next)
    VALUES (v_type, v_id, v_log.name, 0, v_n)
    ON CONFLICT (actor_type, actor_id, name) DO UPDATE SET next = b.next + v_n
    RETURNING b.first, b.next INTO v_first, v_next;
    IF v_n > 0 THEN
      INSERT INTO loom.actor_log_entries (actor_type, actor_id, name, idx, value_json)
      SELECT v_type, v_id, v_log.name, v_next - v_n + e.ord - 1, e.value
      FROM jsonb_array_elements_text(v_log.append) WITH ORDINALITY AS e(value, ord);
    END IF;
    -- least() skips a NULL: without a trim, nothing is trimmed.
    v_upto := CASE WHEN v_log.trim_before IS NULL THEN v_first ELSE least(v_log.trim_before, v_next) END;
    IF v_upto > v_first THEN
      DELETE FROM loom.actor_log_entries e
      WHERE e.actor_type = v_type AND e.actor_id = v_id AND e.name = v_log.name AND e.idx >= v_first AND e.idx < v_upto;
      UPDATE loom.actor_logs b SET first = v_upto
      WHERE b.actor_type = v_type AND b.actor_id = v_id AND b.name = v_log.name;
    END IF;
  END LOOP;
END
$fn$;

/* Migration 003's loom_commit_batch, and a turn's data (see above) once every check of the turn passed. */
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
      expires_at bigint, idempotency jsonb, outbox jsonb, resolve jsonb, data jsonb)
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

    IF v_tw.data IS NOT NULL THEN
      PERFORM loom.loom_apply_actor_data(v_tw.data);
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
