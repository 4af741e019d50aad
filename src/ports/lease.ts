/**
 * The Lease port: fenced ownership of partitions. The store that issues a lease
 * also checks its epoch on every commit, so a paused or partitioned former owner
 * is rejected by the store itself.
 */
export interface LeaseManager {
  /**
   * Takes the lease on `partition` for `owner` if it is free, expired, or already
   * held by `owner`. A new holder gets an epoch greater than every earlier one.
   * Returns undefined when another live owner holds it.
   */
  acquire(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends a held lease. Returns undefined when it was lost (expired and taken, or released). */
  renew(lease: Lease, ttlMs: number): Promise<Lease | undefined>;
  /** Gives the lease up so another worker can take it at once. */
  release(lease: Lease): Promise<void>;
  /** Current holders, for inspection and rebalancing. */
  list(): Promise<LeaseInfo[]>;

  /*
   * Membership: the live workers that share the partitions. Every worker
   * computes the same fair assignment from the same member list, so partitions
   * rebalance when workers join or leave (see core/partition-owner.ts).
   */

  /**
   * Registers `owner` as a live member, or refreshes it, until `ttlMs` from now
   * on the store's clock (never the caller's). Idempotent.
   */
  heartbeat(owner: string, ttlMs: number): Promise<void>;
  /** Live members (heartbeat not yet expired on the store's clock), sorted, without duplicates. */
  members(): Promise<string[]>;
  /** Removes `owner` from the members at once (graceful stop). Does not release its leases. */
  leave(owner: string): Promise<void>;

  /**
   * Records `count` as the store's number of partitions if none is recorded yet
   * (insert-if-absent, atomic against workers starting together), and returns
   * the recorded number. Every worker and client of a store must hash actor ids
   * to the same partitions: the runtime refuses to start when they differ.
   */
  claimPartitionCount(count: number): Promise<number>;
}

export interface Lease {
  partition: number;
  owner: string;
  epoch: number;
  /** Expiry on the store's clock, epoch ms. */
  expiresAt: number;
}

export type LeaseInfo = Lease;
