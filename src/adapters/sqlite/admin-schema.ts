/**
 * Migration 3: what the admin queries filter and order by, indexed. Every index
 * ends in `seq`, so a page in enqueue order is read straight off the index; the
 * error code is a generated column of the stored error.
 */
export const ADMIN_INDEXES = `
ALTER TABLE loom_invocations ADD COLUMN error_code TEXT GENERATED ALWAYS AS (json_extract(error_json, '$.code')) VIRTUAL;
CREATE INDEX loom_invocations_by_seq ON loom_invocations (seq);
CREATE INDEX loom_invocations_by_status ON loom_invocations (status, seq);
CREATE INDEX loom_invocations_by_type ON loom_invocations (actor_type, seq);
CREATE INDEX loom_invocations_by_actor ON loom_invocations (actor_type, actor_id, status, seq);
CREATE INDEX loom_invocations_by_key ON loom_invocations (idempotency_key, seq) WHERE idempotency_key IS NOT NULL;
CREATE INDEX loom_invocations_by_error ON loom_invocations (error_code, seq) WHERE error_code IS NOT NULL;
`;
