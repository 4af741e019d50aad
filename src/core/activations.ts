import { Mailbox } from './mailbox.js';
import type { InvocationRecord } from '../ports/store.js';

/** Mailboxes used within this long of each other may be evicted in either order (re-ordering a Map on every message is not free). */
const LRU_GRAIN_MS = 1000;

/** The key of an actor's mailbox. */
const boxKey = (actorType: string, actorId: string): string => `${actorType}\u0000${actorId}`;

/**
 * The actors this worker holds in memory: one mailbox each, with its queue and
 * its cached state. Kept in least-recently-used order, so that eviction drops
 * the longest-idle ones first when there are more than `maxActivations`.
 */
export class Activations {
  private readonly boxes = new Map<string, Mailbox>();

  constructor(private readonly limits: { maxActivations: number; idleTimeoutMs: number }) {}

  get size(): number {
    return this.boxes.size;
  }

  /** The actor's mailbox, if it is held. */
  get(actorType: string, actorId: string): Mailbox | undefined {
    return this.boxes.get(boxKey(actorType, actorId));
  }

  /** A mailbox by its `key`. */
  byKey(key: string): Mailbox | undefined {
    return this.boxes.get(key);
  }

  /** The mailbox of `rec`'s actor, made if needed (a new one counts as used now), and moved towards the recently used end. */
  open(rec: InvocationRecord): Mailbox {
    const key = boxKey(rec.actorType, rec.actorId);
    let box = this.boxes.get(key);
    const now = Date.now();
    if (!box) {
      box = new Mailbox(key, rec.actorType, rec.actorId, rec.partition);
      box.orderedAt = now;
      box.lastUsed = now;
      this.boxes.set(key, box);
    } else if (now - box.orderedAt > LRU_GRAIN_MS) {
      // Re-insert so that the map's order is least-recently-used first, to within LRU_GRAIN_MS.
      box.orderedAt = now;
      this.boxes.delete(key);
      this.boxes.set(key, box);
    }
    return box;
  }

  /** Drops idle mailboxes unused for `idleTimeoutMs`, and the least recently used ones past `maxActivations`. */
  evictIdle(): void {
    const cutoff = Date.now() - this.limits.idleTimeoutMs;
    const excess = this.boxes.size - this.limits.maxActivations;
    let evicted = 0;
    for (const [key, box] of this.boxes) {
      if (!box.idle || box.timer) continue;
      if (box.lastUsed < cutoff || evicted < excess) {
        this.boxes.delete(key);
        evicted++;
      }
    }
  }

  /** Another worker owns `partition` now: its queued work and cached states go; a running handler's box stays until it ends. */
  dropPartition(partition: number): void {
    for (const [key, box] of this.boxes) {
      if (box.partition !== partition) continue;
      if (box.timer) clearTimeout(box.timer);
      box.clear();
      box.loaded = false;
      if (!box.running) this.boxes.delete(key);
    }
  }

  /** True while a handler of `partition` runs here. */
  runningIn(partition: number): boolean {
    for (const box of this.boxes.values()) if (box.partition === partition && box.running) return true;
    return false;
  }

  /** Queued invocations per partition and the oldest one's `createdAt` (for metrics; walks every mailbox). */
  queued(): Map<number, { depth: number; oldestAt: number }> {
    const out = new Map<number, { depth: number; oldestAt: number }>();
    for (const box of this.boxes.values()) {
      if (box.queue.length === 0) continue;
      let q = out.get(box.partition);
      if (!q) out.set(box.partition, (q = { depth: 0, oldestAt: Infinity }));
      q.depth += box.queue.length;
      for (const rec of box.queue) if (rec.createdAt < q.oldestAt) q.oldestAt = rec.createdAt;
    }
    return out;
  }

  /** Drops every mailbox and its wake-up timer (the engine stopped). */
  clear(): void {
    for (const box of this.boxes.values()) if (box.timer) clearTimeout(box.timer);
    this.boxes.clear();
  }
}
