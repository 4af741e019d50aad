/** A resolved promise; placeholders of waiters do not count. Resolving is `resolvePromise` (see batch.ts). */
export const getPromise = `
SELECT id, value_json, error_json FROM loom.promises WHERE id = $1 AND resolved`;
