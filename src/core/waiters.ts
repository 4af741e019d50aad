import { Deadlines, type Deadline } from './deadlines.js';
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
  /** The first store check, on the shared timer. */
  first: Deadline | undefined;
  /** The later ones, on a timer of its own. */
  timer: NodeJS.Timeout | undefined;
  backoff: number;
}

/**
 * Callers waiting for invocations to finish. A local finish notifies them at
 * once; since another process may run the invocation, a waiter still unsettled
 * 25 ms after it was armed also checks the store now and then (doubling to 1 s).
 * The first checks share one timer (`Deadlines`): most calls finish well within
 * 25 ms, and a timer of their own would cost every call a timer set and cleared.
 */
export class ResultWaiters {
  private readonly waiters = new Map<string, Waiter[]>();
  /** First store checks; like the later timers, they never hold the process open (a runtime's poll timer does). */
  private readonly firstChecks = new Deadlines({ keepAlive: false });

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
      const w: Waiter = { id, resolve, reject, settled: false, armed: false, first: undefined, timer: undefined, backoff: FIRST_CHECK_MS };
      const list = this.waiters.get(id);
      if (list) list.push(w);
      else this.waiters.set(id, [w]);
      if (armed) this.armOne(w);
    });
  }

  /** The invocation is in the store now: its waiters may check there. */
  arm(id: string): void {
    for (const w of this.waiters.get(id) ?? []) if (!w.armed) this.armOne(w);
  }

  notify(rec: InvocationRecord): void {
    const list = this.waiters.get(rec.id);
    if (!list) return;
    this.waiters.delete(rec.id);
    for (const w of list) {
      this.settle(w);
      w.resolve(rec);
    }
  }

  reject(id: string, err: unknown): void {
    const list = this.waiters.get(id);
    if (!list) return;
    this.waiters.delete(id);
    for (const w of list) {
      this.settle(w);
      w.reject(err);
    }
  }

  rejectAll(reason: (id: string) => Error): void {
    for (const id of [...this.waiters.keys()]) this.reject(id, reason(id));
  }

  /** A cancelled first check drops its callback, so nothing keeps a settled waiter (and its caller) alive. */
  private settle(w: Waiter): void {
    w.settled = true;
    if (w.first) this.firstChecks.cancel(w.first);
    if (w.timer) clearTimeout(w.timer);
  }

  private armOne(w: Waiter): void {
    w.armed = true;
    w.first = this.firstChecks.add(FIRST_CHECK_MS, () => void this.check(w));
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
