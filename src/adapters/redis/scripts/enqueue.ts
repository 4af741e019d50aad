import { DECODE, INSERT, PRELUDE } from './lib.js';

/**
 * One new invocation, deduplicated by id and by idempotency key. ARGV: prefix,
 * insert spec JSON (codec.ts InsertSpec). Returns the insert reply.
 */
export const ENQUEUE = `${PRELUDE}${DECODE}${INSERT}
local spec, refused = decode_arg(ARGV[2])
if not spec then return refused end
return insert(spec, now_ms())
`;
