/**
 * The write paths: each one statement calling a function of migration 003 or 004,
 * run in autocommit so that a whole batch is one round trip and one
 * transaction. Each returns one row with one column, `out`: NULL when the
 * function refused to run outside READ COMMITTED (see `callAtomic`). JSON
 * comes back as text, parsed by the adapter whatever type parsers the pool has.
 */
export const commitBatch = `SELECT loom.loom_commit_batch($1::jsonb)::text AS out`;

export const enqueueBatch = `SELECT loom.loom_enqueue_batch($1::jsonb)::text AS out`;

/** $1 as for enqueueBatch, $2 as for commitBatch: both in one transaction, the enqueues first. */
export const writeBatch = `SELECT loom.loom_write_batch($1::jsonb, $2::jsonb)::text AS out`;

/** $1 promise id, $2 its owner invocation (or NULL), $3 value JSON, $4 error JSON. */
export const resolvePromise = `SELECT loom.loom_resolve_promise($1, $2, $3, $4) AS out`;
