import { RuntimeStateError } from './errors.js';
import type { Logger } from './logger.js';
import type { InvocationRecord, Store } from '../ports/store.js';

const FIRST_CHECK_MS = 25;
const MAX_CHECK_MS = 1000;

interface Waiter {
  readonly id: string;
  resolve: (rec: InvocationRecord) => void;
  reject: (err: unknown) => void;
  settled: boolean;
  /** When the store checks were allowed to begin (the invocation was in the store). */
  armedAt: number;
  timer: NodeJS.Timeout | undefined;
  backoff: number;
}

/**
 * Callers waiting for invocations to finish. A local finish notifies them at
 * once; since another process may run the invocation, a waiter still unsettled
 * 25 ms after it was armed also checks the store now and then (doubling to 1 s).
 * Until then waiters share one timer: most calls finish well within 25 ms, and
 * a timer of their own would cost every call a timer object set and cleared.
 */
export class ResultWaiters {
  private readonly waiters = new Map<string, Waiter[]>();
  /** Armed waiters in arming order, not yet checking the store on their own timer. */
  private young: Waiter[] = [];
  private youngHead = 0;
  private youngTimer: NodeJS.Timeout | undefined;

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
      const w: Waiter = { id, resolve, reject, settled: false, armedAt: 0, timer: undefined, backoff: FIRST_CHECK_MS };
      const list = this.waiters.get(id);
      if (list) list.push(w);
      else this.waiters.set(id, [w]);
      if (armed) this.armOne(w);
    });
  }

  /** The invocation is in the store now: its waiters may check there. */
  arm(id: string): void {
    for (const w of this.waiters.get(id) ?? []) if (w.armedAt === 0) this.armOne(w);
  }

  notify(rec: InvocationRecord): void {
    const list = this.waiters.get(rec.id);
    if (!list) return;
    this.waiters.delete(rec.id);
    for (const w of list) {
      const { resolve } = w;
      settle(w);
      resolve(rec);
    }
  }

  reject(id: string, err: unknown): void {
    const list = this.waiters.get(id);
    if (!list) return;
    this.waiters.delete(id);
    for (const w of list) {
      const { reject } = w;
      settle(w);
      reject(err);
    }
  }

  rejectAll(reason: (id: string) => Error): void {
    for (const id of [...this.waiters.keys()]) this.reject(id, reason(id));
    if (this.youngTimer) clearTimeout(this.youngTimer);
    this.youngTimer = undefined;
    this.young = [];
    this.youngHead = 0;
  }

  private armOne(w: Waiter): void {
    w.armedAt = Date.now();
    this.young.push(w);
    if (!this.youngTimer) this.scheduleYoung(FIRST_CHECK_MS);
  }

  private scheduleYoung(ms: number): void {
    this.youngTimer = setTimeout(() => this.promoteYoung(), ms);
    this.youngTimer.unref();
  }

  /** Waiters armed 25 ms ago and still unsettled start checking the store. */
  private promoteYoung(): void {
    this.youngTimer = undefined;
    const due = Date.now() - FIRST_CHECK_MS;
    while (this.youngHead < this.young.length) {
      const w = this.young[this.youngHead]!;
      if (!w.settled && w.armedAt > due) break;
      this.youngHead++;
      if (!w.settled) void this.check(w);
    }
    if (this.youngHead === this.young.length) {
      this.young = [];
      this.youngHead = 0;
    } else {
      if (this.youngHead > 1024) {
        this.young = this.young.slice(this.youngHead);
        this.youngHead = 0;
      }
      this.scheduleYoung(Math.max(1, this.young[this.youngHead]!.armedAt - due));
    }
  }

  private async check(w: Waiter): Promise<void> {
    if (w.settled || !this.active()) return;
    try {
      const rec = await this.store.getInvocation(w.id);
      if (rec && rec.status !== 'pending') return this.notify(rec);
      if (!rec) return this.reject(w.id, new RuntimeStateError(`invocation ${w.id} is unknown to the store (swept after its TTL?)`));
    } catch (err) {
      this.log.warn(`checking invocation ${w.id}: ${(err as Error).message}`);
    }
    if (w.settled || !this.active()) return;
    w.backoff = Math.min(w.backoff * 2, MAX_CHECK_MS);
    w.timer = setTimeout(() => void this.check(w), w.backoff);
    w.timer.unref();
  }
}

/** Marks a waiter settled; it may sit in the young queue a while longer, so it lets go of its callbacks. */
function settle(w: Waiter): void {
  w.settled = true;
  if (w.timer) clearTimeout(w.timer);
  w.resolve = ignore;
  w.reject = ignore;
}

const ignore = (): void => {};
