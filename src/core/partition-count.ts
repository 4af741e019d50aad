import { ConfigError } from './errors.js';
import type { LeaseManager } from '../ports/lease.js';

/**
 * Records this process's partition count in the store if it is the first, and
 * refuses to go on when the store's workers use another. Actor ids hash to
 * partitions, and a partition's owner is the only one to run its actors: two
 * counts on one store would run one actor on two workers at once and leave
 * messages in partitions nobody reads.
 *
 * @param who names the process in the error, e.g. "this runtime".
 */
export async function agreePartitionCount(leases: LeaseManager, partitions: number, who: string): Promise<void> {
  const stored = await leases.claimPartitionCount(partitions);
  if (stored === partitions) return;
  throw new ConfigError(
    `${who} has partitions: ${partitions}, but this store records partitions: ${String(stored)} (set by the first worker or client that used it). ` +
      `Every worker and client of one store must hash actor ids to the same partitions. ` +
      `Set partitions: ${String(stored)} (the ActorRuntime or LoomClient option, runtime.partitions in loom.config.yaml, --partitions on the CLI). ` +
      `To change the count, migrate: let the store drain (no pending invocation), then move to a new store (SQLite file, PostgreSQL schema, Redis prefix or Cosmos DB container) started with the new count`,
  );
}
