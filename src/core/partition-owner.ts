import type { Lease, LeaseManager } from '../ports/lease.js';
import type { Logger } from './logger.js';

export interface PartitionOwnerOptions {
  leases: LeaseManager;
  owner: string;
  partitions: number;
  ttlMs: number;
  log: Logger;
  /** Called with a partition this worker just took (recover its work). */
  onGained(partition: number): void;
  /** Called with a partition this worker lost (stop its work). */
  onLost(partition: number): void;
  /** Which partitions this worker should try to hold; default all (one worker takes what is free). */
  wanted?: (all: number) => number[];
}

/**
 * Holds fenced leases on partitions: acquires the wanted ones that are free,
 * renews them every third of the TTL, and reports gains and losses. A lost
 * lease stops its partition's work at once; the store rejects anything still in
 * flight because its epoch is stale.
 */
export class PartitionOwner {
  readonly held = new Map<number, Lease>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;

  constructor(private readonly opts: PartitionOwnerOptions) {}

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.opts.ttlMs / 3)));
    this.timer.unref();
  }

  epoch(partition: number): number | undefined {
    return this.held.get(partition)?.epoch;
  }

  /** Marks a partition lost after the store fenced a write. */
  lose(partition: number): void {
    if (this.held.delete(partition)) this.opts.onLost(partition);
  }

  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const { leases, owner, ttlMs } = this.opts;
      for (const [p, lease] of [...this.held]) {
        let renewed: Lease | undefined;
        try {
          renewed = await leases.renew(lease, ttlMs);
        } catch (err) {
          this.opts.log.warn(`lease renewal of partition ${p} failed: ${(err as Error).message}`);
          if (Date.now() < lease.expiresAt) continue;
        }
        if (this.stopped) return;
        if (renewed) this.held.set(p, renewed);
        else this.lose(p);
      }
      const wanted = this.opts.wanted?.(this.opts.partitions) ?? range(this.opts.partitions);
      for (const p of wanted) {
        if (this.held.has(p) || this.stopped) continue;
        try {
          const lease = await leases.acquire(p, owner, ttlMs);
          if (lease && !this.stopped) {
            this.held.set(p, lease);
            this.opts.onGained(p);
          }
        } catch (err) {
          this.opts.log.warn(`lease acquisition of partition ${p} failed: ${(err as Error).message}`);
          break;
        }
      }
    } finally {
      this.ticking = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const held = [...this.held.values()];
    this.held.clear();
    await Promise.allSettled(held.map((l) => this.opts.leases.release(l)));
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
