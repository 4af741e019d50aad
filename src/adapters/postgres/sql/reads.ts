import { INVOCATION_COLUMNS } from './common.js';

export const getInvocation = `
SELECT ${INVOCATION_COLUMNS} FROM loom.invocations WHERE id = $1`;

/** Served by the partial index on (partition, wake_seq) of pending rows. */
export const pollPending = `
SELECT ${INVOCATION_COLUMNS} FROM loom.invocations
WHERE status = 'pending' AND partition = ANY($1::int[]) AND wake_seq > $2
ORDER BY wake_seq LIMIT $3`;

export const loadState = `
SELECT actor_type, actor_id, state_json, version FROM loom.states WHERE actor_type = $1 AND actor_id = $2`;

export const loadJournal = `
SELECT seq, kind, name, status, value_json, error_json FROM loom.journal WHERE invocation_id = $1 ORDER BY seq`;

export const getActorIdempotency = `
SELECT result_json FROM loom.actor_idempotency
WHERE actor_type = $1 AND actor_id = $2 AND key = $3 AND expires_at > $4`;

export const listDeadLetters = `
SELECT ${INVOCATION_COLUMNS} FROM loom.invocations
WHERE status = 'dead' AND ($2::text IS NULL OR actor_type = $2)
ORDER BY updated_at DESC, seq DESC LIMIT $1`;

export const listActors = `
SELECT actor_type, actor_id, state_json, version FROM loom.states
WHERE $2::text IS NULL OR actor_type = $2
ORDER BY actor_type, actor_id LIMIT $1`;
