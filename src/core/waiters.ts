import { RuntimeStateError } from './errors.js';
import type { Logger } from './logger.js';
import type { InvocationRecord, Store } from '../ports/store.js';

const FIRST_CHECK_MS = 25;
const MAX_CHECK_MS = 1000;

interface Waiter {
  readonly id: string;
  readonly resolve: (rec: InvocationRecord) => void;
  readonly reject: (err: unknown) => void;
  settled: boolean;
  /** Its store checks may begin: the invocation is in the store. */
  armed: boolean;
  /** After the first check, each further one on a timer of its own. */
  timer: NodeJS.Timeout | undefined;
  backoff: number;
}

/**
 * Callers waiting for invocations to finish. A local finish notifies them at
 * once; since another process may run the invocation, a waiter still unsettled
 * 25–50 ms after it was armed also checks the store now and then (doubling to 1 s).
 *
 * Most calls finish well within 25 ms, so the first checks cost no timer and no
 * object per call: armed waiters join the young generation, one shared timer
 * ages it every 25 ms, and the waiters still in the old generation then get
 * their first check. A waiter that settles leaves its generation at once, so
 * nothing keeps a finished call alive until the next tick.
 */
export class ResultWaiters {
  /** By invocation id: one waiter, or a list when several callers wait for the same invocation. */
  private readonly waiters = new Map<string, Waiter | Waiter[]>();
  private young = new Set<Waiter>();
  private old = new Set<Waiter>();
  private ticking: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly active: () => boolean,
  ) {}

  /**
   * Waits for invocation `id` to finish. With `armed` false the store checks are
   * held back until `arm(id)`: the invocation is not in the store yet.
   */
  wait(id: string, armed = true): Promise<InvocationRecord> {
    return new Promise<InvocationRecord>((resolve, reject) => {
      const w: Waiter = { id, resolve, reject, settled: false, armed: false, timer: undefined, backoff: FIRST_CHECK_MS };
      const held = this.waiters.get(id);
      if (held === undefined) this.waiters.set(id, w);
      else if (Array.isArray(held)) held.push(w);
      else this.waiters.set(id, [held, w]);
      if (armed) this.armOne(w);
    });
  }

  /** The invocation is in the store now: its waiters may check there. */
  arm(id: string): void {
    const held = this.waiters.get(id);
    if (held === undefined) return;
    if (!Array.isArray(held)) {
      if (!held.armed) this.armOne(held);
      return;
    }
    for (const w of held) if (!w.armed) this.armOne(w);
  }

  notify(rec: InvocationRecord): void {
    const held = this.take(rec.id);
    if (held === undefined) return;
    if (!Array.isArray(held)) return this.settle(held).resolve(rec);
    for (const w of held) this.settle(w).resolve(rec);
  }

  reject(id: string, err: unknown): void {
    const held = this.take(id);
    if (held === undefined) return;
    if (!Array.isArray(held)) return this.settle(held).reject(err);
    for (const w of held) this.settle(w).reject(err);
  }

  /** Waiters and first-check entries held (for tests and diagnostics). */
  get held(): number {
    return this.waiters.size + this.young.size + this.old.size;
  }

  rejectAll(reason: (id: string) => Error): void {
    for (const id of [...this.waiters.keys()]) this.reject(id, reason(id));
  }

  private take(id: string): Waiter | Waiter[] | undefined {
    const held = this.waiters.get(id);
    if (held !== undefined) this.waiters.delete(id);
    return held;
  }

  /** Takes the waiter out of its generation and off its timer: once settled, nothing here holds it. */
  private settle(w: Waiter): Waiter {
    w.settled = true;
    if (!this.young.delete(w)) this.old.delete(w);
    if (w.timer) clearTimeout(w.timer);
    return w;
  }

  private armOne(w: Waiter): void {
    w.armed = true;
    this.young.add(w);
    if (!this.ticking) this.schedule();
  }

  private schedule(): void {
    // Like the later checks' timers, it never holds the process open (a runtime's poll timer does).
    this.ticking = setTimeout(() => this.tick(), FIRST_CHECK_MS);
    this.ticking.unref();
  }

  /** Waiters armed two ticks ago or earlier get their first store check; the young ones age. */
  private tick(): void {
    this.ticking = undefined;
    const due = this.old;
    this.old = this.young;
    this.young = due.size === 0 ? due : new Set();
    for (const w of due) void this.check(w);
    if (this.old.size > 0) this.schedule();
  }

  private async check(w: Waiter): Promise<void> {
    if (w.settled || !this.active()) return;
    try {
      const rec = await this.store.getInvocation(w.id);
      if (rec && rec.status !== 'pending') return this.notify(rec);
      if (!rec) return this.reject(w.id, new RuntimeStateError(`invocation ${w.id} is unknown to the store (swept after its TTL?)`));
    } catch (err) {
      this.log.warn(`checking invocation ${w.id}: ${(err as Error).message}`, { invocationId: w.id, err });
    }
    if (w.settled || !this.active()) return;
    w.backoff = Math.min(w.backoff * 2, MAX_CHECK_MS);
    w.timer = setTimeout(() => void this.check(w), w.backoff);
    w.timer.unref();
  }
}
