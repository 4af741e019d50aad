import type { Lease, LeaseManager } from '../../ports/lease.js';

/** In-process fenced leases for the memory store: epochs increase per partition. */
export class MemoryLeases implements LeaseManager {
  private readonly current = new Map<number, Lease>();
  private readonly epochs = new Map<number, number>();
  /** Member -> expiry, epoch ms. */
  private readonly live = new Map<string, number>();
  private partitionCount: number | undefined;

  async acquire(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const now = Date.now();
    const cur = this.current.get(partition);
    if (cur && cur.owner !== owner && cur.expiresAt > now) return undefined;
    const keep = cur && cur.owner === owner && cur.expiresAt > now;
    const epoch = keep ? cur.epoch : (this.epochs.get(partition) ?? 0) + 1;
    this.epochs.set(partition, epoch);
    const lease: Lease = { partition, owner, epoch, expiresAt: now + ttlMs };
    this.current.set(partition, lease);
    return { ...lease };
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    const cur = this.current.get(lease.partition);
    if (!cur || cur.owner !== lease.owner || cur.epoch !== lease.epoch) return undefined;
    cur.expiresAt = Date.now() + ttlMs;
    return { ...cur };
  }

  async release(lease: Lease): Promise<void> {
    const cur = this.current.get(lease.partition);
    if (cur && cur.owner === lease.owner && cur.epoch === lease.epoch) this.current.delete(lease.partition);
  }

  async list(): Promise<Lease[]> {
    return [...this.current.values()].map((l) => ({ ...l }));
  }

  async heartbeat(owner: string, ttlMs: number): Promise<void> {
    this.live.set(owner, Date.now() + ttlMs);
  }

  async members(): Promise<string[]> {
    const now = Date.now();
    for (const [m, exp] of this.live) if (exp <= now) this.live.delete(m);
    return [...this.live.keys()].sort();
  }

  async leave(owner: string): Promise<void> {
    this.live.delete(owner);
  }

  async claimPartitionCount(count: number): Promise<number> {
    this.partitionCount ??= count;
    return this.partitionCount;
  }

  /** True when `epoch` is the partition's current lease epoch (the fence check). */
  holds(partition: number, epoch: number): boolean {
    return this.current.get(partition)?.epoch === epoch;
  }
}
