import type { Lease, LeaseManager } from '../ports/lease.js';
import { timerDelay } from './timers.js';
import type { Logger } from './logger.js';
import { OutageReporter } from './outage.js';
import { StoreError } from './errors.js';
import type { LeaseLossReason, WatchedStoreOp } from './observer.js';

export interface PartitionOwnerOptions {
  leases: LeaseManager;
  owner: string;
  partitions: number;
  ttlMs: number;
  log: Logger;
  /** Called with a partition this worker just took (recover its work). */
  onGained(partition: number): void;
  /** Called with a partition this worker lost or is handing off (stop its work), why, and the epoch it held. */
  onLost(partition: number, reason: LeaseLossReason, epoch: number | undefined): void;
  /**
   * Resolves once no handler of `partition` runs here any more. A partition
   * handed off to another worker keeps its lease until then (at most a third of
   * the TTL), so that its in-flight turns commit instead of being fenced and
   * re-run elsewhere.
   */
  drained?(partition: number): Promise<void>;
  /**
   * Which partitions this worker should try to hold. Default: its fair share
   * among the live members ({@link fairShare}).
   */
  wanted?: (all: number) => number[];
  /** The current time on the store's clock (lease expiries are on it). Default Date.now. */
  now?: () => number;
  /**
   * Deadline of each lease-store call, ms. Default a third of the TTL (at most
   * 5 s). A store that stops answering without closing the connection is seen
   * within it: logged once, and a partition whose renewal missed it counts as lost
   * until a later tick takes it again (the store's fence stays the safety net).
   */
  callDeadlineMs?: number;
  /** Observability: a lease-store call failed or missed its deadline (`ok` false), or worked again. */
  storeCall?(op: WatchedStoreOp, ok: boolean, timedOut: boolean): void;
}

/**
 * Holds fenced leases on this worker's fair share of the partitions.
 *
 * Every tick (a third of the TTL) it heartbeats its membership, renews its
 * leases, reads the live members, and computes the assignment that every
 * worker computes the same way from the same sorted member list
 * ({@link assignPartitions}). It acquires the partitions of its share that are
 * free and hands off the ones that are no longer its share: it stops their
 * work at once (`onLost`), lets running handlers finish (`drained`, bounded),
 * then releases the lease so that the new owner takes it on its next tick.
 * A join or a graceful leave thus converges within about two ticks; a crashed
 * worker's partitions move once its membership and leases expire (one TTL).
 *
 * A lost lease stops its partition's work at once; the store rejects anything
 * still in flight because its epoch is stale.
 */
export class PartitionOwner {
  readonly held = new Map<number, Lease>();
  /** Leases being handed off: no new work, renewed until released. */
  private readonly handing = new Map<number, Lease>();
  private readonly handoffs = new Set<Promise<void>>();
  private view: string[];
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;

  private readonly outage: OutageReporter;
  private readonly now: () => number;
  private readonly deadlineMs: number;

  constructor(private readonly opts: PartitionOwnerOptions) {
    this.view = [opts.owner];
    this.outage = new OutageReporter(opts.log, 'the lease store');
    this.now = opts.now ?? Date.now;
    this.deadlineMs = opts.callDeadlineMs ?? Math.min(5000, Math.max(50, Math.floor(opts.ttlMs / 3)));
  }

  /** True while a lease-store call failed or missed its deadline and none has worked since. */
  get degraded(): boolean {
    return this.outage.down;
  }

  /** Runs a lease-store call within the deadline; a miss rejects with a StoreError naming the call. */
  private within<T>(op: WatchedStoreOp, what: string, call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.opts.storeCall?.(op, false, true);
        reject(new DeadlineMissed(`${what} did not answer within ${this.deadlineMs} ms (the store is unreachable or stalled)`));
      }, timerDelay(this.deadlineMs));
      timer.unref();
    });
    const p = call();
    p.catch(() => {});
    return Promise.race([p, timeout]).then(
      (v) => {
        clearTimeout(timer);
        this.opts.storeCall?.(op, true, false);
        return v;
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (!(err instanceof DeadlineMissed)) this.opts.storeCall?.(op, false, false);
        throw err;
      },
    );
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), timerDelay(this.intervalMs));
    this.timer.unref();
  }

  /** Tick interval: a third of the TTL, so that a lease is renewed twice before it can expire. */
  get intervalMs(): number {
    return Math.max(50, Math.floor(this.opts.ttlMs / 3));
  }

  /** The live members as last read (this worker always included), sorted. */
  get members(): readonly string[] {
    return this.view;
  }

  epoch(partition: number): number | undefined {
    return this.held.get(partition)?.epoch;
  }

  /** Marks a partition lost after the store fenced a write. */
  lose(partition: number, reason: LeaseLossReason = 'fenced'): void {
    this.handing.delete(partition);
    const lease = this.held.get(partition);
    if (this.held.delete(partition)) this.opts.onLost(partition, reason, lease?.epoch);
  }

  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const { leases, owner, ttlMs } = this.opts;
      try {
        await this.within('heartbeat', 'the membership heartbeat', () => leases.heartbeat(owner, ttlMs));
        this.outage.ok();
      } catch (err) {
        this.outage.failed('the membership heartbeat', err);
      }
      await this.renewAll(this.held);
      await this.renewAll(this.handing);
      if (this.stopped) return;

      try {
        this.view = [...new Set([...(await this.within('members', 'reading the members', () => leases.members())), owner])].sort(compare);
      } catch (err) {
        // Keep the last view: falling back to "only me" would grab every free partition.
        this.outage.failed('reading the members', err);
      }
      if (this.stopped) return;
      const wanted = new Set(this.opts.wanted?.(this.opts.partitions) ?? fairShare(owner, this.view, this.opts.partitions));

      for (const p of [...this.held.keys()]) if (!wanted.has(p)) this.handOff(p);
      for (const p of wanted) {
        // A partition still being handed off is taken back on a later tick, once released.
        if (this.held.has(p) || this.handing.has(p) || this.stopped) continue;
        try {
          const lease = await this.within('lease-acquisition', `lease acquisition of partition ${p}`, () => leases.acquire(p, owner, ttlMs));
          if (lease && !this.stopped && !this.held.has(p)) {
            this.held.set(p, lease);
            this.opts.onGained(p);
          }
        } catch (err) {
          this.outage.failed(`lease acquisition of partition ${p}`, err);
          break;
        }
      }
    } finally {
      this.ticking = false;
    }
  }

  /** Renews every lease at once: a stalled store then costs one deadline, not one per partition. */
  private async renewAll(leases: Map<number, Lease>): Promise<void> {
    await Promise.all([...leases].map(([p, lease]) => this.renew(leases, p, lease)));
  }

  private async renew(leases: Map<number, Lease>, p: number, lease: Lease): Promise<void> {
    let renewed: Lease | undefined;
    let timedOut = false;
    try {
      renewed = await this.within('lease-renewal', `lease renewal of partition ${p}`, () => this.opts.leases.renew(lease, this.opts.ttlMs));
    } catch (err) {
      this.outage.failed(`lease renewal of partition ${p}`, err);
      timedOut = err instanceof DeadlineMissed;
      // Expiry is on the store's clock: compare it with the store-corrected time. A renewal that
      // could not complete in time leaves us unsure we hold it: stop its work until a tick takes it again.
      if (!timedOut && this.now() < lease.expiresAt) return;
    }
    if (this.stopped) return;
    // Changed meanwhile (lost, or handed off and released): leave it alone.
    if (leases.get(p) !== lease) return;
    if (renewed) leases.set(p, renewed);
    else if (leases === this.held) this.lose(p, timedOut ? 'renewal-timeout' : 'expired');
    else leases.delete(p);
  }

  /** Stops a partition's work here and releases its lease once its running handlers are done. */
  private handOff(p: number): void {
    const lease = this.held.get(p);
    if (!lease) return;
    this.held.delete(p);
    this.handing.set(p, lease);
    this.opts.onLost(p, 'handoff', lease.epoch);
    const done = (async () => {
      await bounded(this.opts.drained?.(p), this.intervalMs);
      const cur = this.handing.get(p);
      if (!cur || this.stopped) return;
      this.handing.delete(p);
      try {
        await this.opts.leases.release(cur);
      } catch (err) {
        // It expires on its own within the TTL.
        this.opts.log.warn(`lease release of partition ${p} failed: ${(err as Error).message}`, { partition: p, err });
      }
    })();
    this.handoffs.add(done);
    void done.finally(() => this.handoffs.delete(done));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const held = [...this.held.values(), ...this.handing.values()];
    this.held.clear();
    this.handing.clear();
    // Leave first: the others rebalance on their next tick and find these leases free.
    await this.opts.leases.leave(this.opts.owner).catch((err: Error) => this.opts.log.warn(`leaving the members failed: ${err.message}`));
    await Promise.allSettled(held.map((l) => this.opts.leases.release(l)));
    await Promise.allSettled([...this.handoffs]);
  }
}

/** A store call that did not answer within its deadline (the call may still land later). */
class DeadlineMissed extends StoreError {}

/**
 * The deterministic assignment of partitions to members that every worker
 * computes alike: balanced (each member gets ⌊P/n⌋ or ⌈P/n⌉ partitions, the
 * first P mod n members in sorted order the larger count) and sticky (each
 * partition goes to its highest-ranked member by rendezvous hashing that still
 * has room, so a join or leave moves few partitions besides the ones it must).
 * Returns member -> sorted partitions; members are deduplicated and sorted first.
 */
export function assignPartitions(members: readonly string[], partitions: number): Map<string, number[]> {
  const sorted = [...new Set(members)].sort(compare);
  const out = new Map<string, number[]>(sorted.map((m) => [m, []]));
  const n = sorted.length;
  if (n === 0) return out;
  const base = Math.floor(partitions / n);
  const extra = partitions % n;
  const room = sorted.map((_, i) => base + (i < extra ? 1 : 0));
  const seeds = sorted.map(hash32);
  const order = sorted.map((_, i) => i);
  for (let p = 0; p < partitions; p++) {
    const score = seeds.map((s) => mix(s ^ Math.imul(p + 1, 0x9e3779b1)));
    order.sort((a, b) => score[b]! - score[a]! || a - b);
    const i = order.find((j) => room[j]! > 0)!;
    room[i]!--;
    out.get(sorted[i]!)!.push(p);
  }
  return out;
}

/** The partitions `member` should hold among `members` (see {@link assignPartitions}). */
export function fairShare(member: string, members: readonly string[], partitions: number): number[] {
  return assignPartitions([...members, member], partitions).get(member) ?? [];
}

/** Code-unit order, the same on every worker regardless of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** FNV-1a of a string, then mixed. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

/** murmur3's fmix32: an unsigned 32-bit avalanche. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Waits for `p` (if any), at most `ms`. */
async function bounded(p: Promise<void> | undefined, ms: number): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((r) => {
    timer = setTimeout(r, timerDelay(ms));
    timer.unref();
  });
  try {
    await Promise.race([p.catch(() => {}), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
