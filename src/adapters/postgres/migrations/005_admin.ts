/**
 * Indexes behind the admin queries (src/adapters/postgres/admin.ts): every one
 * ends in `seq`, so a page of any filter in enqueue order is read straight off
 * an index. The error code is indexed as an expression of the stored error, so
 * no column is added and no row rewritten.
 */
export const migration005Admin = `
CREATE INDEX invocations_by_seq ON loom.invocations (seq);
CREATE INDEX invocations_by_status ON loom.invocations (status, seq);
CREATE INDEX invocations_by_type ON loom.invocations (actor_type, seq);
CREATE INDEX invocations_by_actor ON loom.invocations (actor_type, actor_id, status, seq);
CREATE INDEX invocations_by_key ON loom.invocations (idempotency_key, seq) WHERE idempotency_key IS NOT NULL;
CREATE INDEX invocations_by_error ON loom.invocations (((error_json::jsonb) ->> 'code'), seq) WHERE error_json IS NOT NULL;
`;
