import type { Store } from '../ports/store.js';
import type { PartitionsView } from './api-types.js';

const BUCKET_MS = 10_000;
const BUCKETS = 18;
/** Pending invocations read at most to draw queue depths; beyond it the depths say "at least". */
const DEPTH_READ = 2000;

/**
 * The partitions view: lease holders, members, queue depth and oldest pending
 * age per partition, and a throughput chart. Throughput is sampled with one
 * count query per 10 s bucket, kept here, so an open view does not recount history.
 */
export class PartitionStats {
  private buckets: { at: number; completed: number }[] = [];

  constructor(private readonly store: Store, private readonly count: number) {}

  async view(): Promise<PartitionsView> {
    const [leases, members] = await Promise.all([this.store.leases.list(), this.store.leases.members()]);
    // Wall clock, for display only: nothing is decided on it.
    const now = Date.now();
    const byPartition = new Map(leases.map((l) => [l.partition, l]));
    const max = Math.max(this.count, ...leases.map((l) => l.partition + 1));
    const partitions = Array.from({ length: max }, (_, p) => {
      const l = byPartition.get(p);
      return l ? { partition: p, owner: l.owner, epoch: l.epoch, expiresAt: l.expiresAt, live: l.expiresAt > now } : { partition: p, live: false };
    });
    const out: PartitionsView = { now, members, partitions };
    if (this.store.admin) {
      Object.assign(out, await this.depths());
      out.throughput = await this.throughput(now);
    }
    return out;
  }

  private async depths(): Promise<{ queues: NonNullable<PartitionsView['queues']>; depthCapped: boolean }> {
    const admin = this.store.admin!;
    const depth = new Map<number, { depth: number; oldestAt: number }>();
    let read = 0;
    let after: number | undefined;
    while (read < DEPTH_READ) {
      const page = await admin.listInvocations({ filter: { statuses: ['pending'] }, limit: 1000, newest: false, ...(after !== undefined ? { afterSeq: after } : {}) });
      for (const r of page) {
        const d = depth.get(r.partition);
        if (d) d.depth++;
        else depth.set(r.partition, { depth: 1, oldestAt: r.createdAt });
        after = r.seq;
      }
      read += page.length;
      if (page.length < 1000) return { queues: [...depth].map(([partition, d]) => ({ partition, ...d })), depthCapped: false };
    }
    return { queues: [...depth].map(([partition, d]) => ({ partition, ...d })), depthCapped: true };
  }

  private async throughput(now: number): Promise<{ at: number; completed: number }[]> {
    const admin = this.store.admin!;
    const current = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    const have = new Set(this.buckets.map((b) => b.at));
    for (let at = current - BUCKETS * BUCKET_MS; at < current; at += BUCKET_MS) {
      if (have.has(at)) continue;
      const completed = await admin.countInvocations({ terminalOnly: true, statuses: ['completed', 'failed', 'dead'], finishedAfter: at, finishedBefore: at + BUCKET_MS });
      this.buckets.push({ at, completed });
    }
    this.buckets = this.buckets.filter((b) => b.at >= current - BUCKETS * BUCKET_MS).sort((a, b) => a.at - b.at);
    return this.buckets;
  }
}
