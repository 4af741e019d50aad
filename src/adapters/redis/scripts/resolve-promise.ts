import { PRELUDE, RESOLVE, WAKE } from './lib.js';

/** Resolves a durable promise. ARGV: prefix, promise id, owner id ('' for none), resolution JSON. Returns 1 when first. */
export const RESOLVE_PROMISE = `${PRELUDE}${WAKE}${RESOLVE}
return resolve(ARGV[2], ARGV[3], ARGV[4])
`;
