import { INSERT, PRELUDE } from './lib.js';

/**
 * One new invocation, deduplicated by id and by idempotency key. ARGV: prefix,
 * insert spec JSON (codec.ts InsertSpec). Returns the insert reply.
 */
export const ENQUEUE = `${PRELUDE}${INSERT}
return insert(cjson.decode(ARGV[2]), now_ms())
`;
