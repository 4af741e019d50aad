import { NOW_MS } from './common.js';

/**
 * Takes a partition that is free, released, expired, or already ours. A
 * holder that keeps a live lease keeps its epoch; any other new holder gets
 * the previous epoch + 1. Returns no row when another live owner holds it.
 */
export const acquireLease = `
INSERT INTO loom.leases AS l (partition, owner, epoch, expires_at)
VALUES ($1, $2, 1, ${NOW_MS} + $3)
ON CONFLICT (partition) DO UPDATE SET
  owner = EXCLUDED.owner,
  epoch = CASE WHEN l.owner = EXCLUDED.owner AND l.expires_at > ${NOW_MS} THEN l.epoch ELSE l.epoch + 1 END,
  expires_at = EXCLUDED.expires_at
WHERE l.owner IS NULL OR l.owner = EXCLUDED.owner OR l.expires_at <= ${NOW_MS}
RETURNING partition, owner, epoch, expires_at`;

/** Extends a lease still held under the same epoch, even past its expiry if nobody took it since. */
export const renewLease = `
UPDATE loom.leases SET expires_at = ${NOW_MS} + $4
WHERE partition = $1 AND owner = $2 AND epoch = $3
RETURNING partition, owner, epoch, expires_at`;

/** Keeps the row, and so the epoch, for the next holder. */
export const releaseLease = `
UPDATE loom.leases SET owner = NULL, expires_at = NULL
WHERE partition = $1 AND owner = $2 AND epoch = $3`;

export const listLeases = `
SELECT partition, owner, epoch, expires_at FROM loom.leases WHERE owner IS NOT NULL ORDER BY partition`;

/** Registers or refreshes a live member until ttl from now on the database clock. */
export const heartbeatMember = `
INSERT INTO loom.members (owner, expires_at) VALUES ($1, ${NOW_MS} + $2)
ON CONFLICT (owner) DO UPDATE SET expires_at = EXCLUDED.expires_at`;

/** Live members, sorted byte-wise. */
export const listMembers = `
SELECT owner FROM loom.members WHERE expires_at > ${NOW_MS} ORDER BY owner`;

export const leaveMember = `
DELETE FROM loom.members WHERE owner = $1`;

/**
 * Records the partition count unless one is recorded, and returns the recorded
 * one. No row comes back when another worker's insert committed during this
 * statement (its snapshot sees neither row): the caller asks again.
 */
export const claimPartitionCount = `
WITH ins AS (
  INSERT INTO loom.meta (name, value) VALUES ('partitions', $1) ON CONFLICT (name) DO NOTHING RETURNING value
)
SELECT value FROM ins
UNION ALL
SELECT value FROM loom.meta WHERE name = 'partitions'`;
