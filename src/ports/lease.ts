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
}

export interface Lease {
  partition: number;
  owner: string;
  epoch: number;
  /** Expiry on the store's clock, epoch ms. */
  expiresAt: number;
}

export type LeaseInfo = Lease;
