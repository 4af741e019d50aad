/*
 * Reads of actor data (migration 007). Every one is a lookup or a range scan
 * of a primary key, so it costs what it returns. A page "after" a name has a
 * statement of its own: `$3 IS NULL OR key > $3` would keep a generic plan
 * from using `key > $3` as an index bound.
 */

export const dataReadKey = `
SELECT value_json FROM loom.actor_kv WHERE actor_type = $1 AND actor_id = $2 AND key = $3`;

export const dataListKeys = `
SELECT key FROM loom.actor_kv WHERE actor_type = $1 AND actor_id = $2 ORDER BY key LIMIT $3`;

export const dataListKeysAfter = `
SELECT key FROM loom.actor_kv WHERE actor_type = $1 AND actor_id = $2 AND key > $3 ORDER BY key LIMIT $4`;

export const dataLogBounds = `
SELECT first, next FROM loom.actor_logs WHERE actor_type = $1 AND actor_id = $2 AND name = $3`;

export const dataReadLog = `
SELECT idx, value_json FROM loom.actor_log_entries
WHERE actor_type = $1 AND actor_id = $2 AND name = $3 AND idx >= $4 AND idx < $5 ORDER BY idx`;

export const dataListLogs = `
SELECT name, first, next FROM loom.actor_logs WHERE actor_type = $1 AND actor_id = $2 ORDER BY name LIMIT $3`;

export const dataListLogsAfter = `
SELECT name, first, next FROM loom.actor_logs WHERE actor_type = $1 AND actor_id = $2 AND name > $3 ORDER BY name LIMIT $4`;
