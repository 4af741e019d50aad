import { RuntimeStateError } from './errors.js';
import type { Logger } from './logger.js';
import type { InvocationRecord, Store } from '../ports/store.js';

interface Waiter {
  resolve: (rec: InvocationRecord) => void;
  reject: (err: unknown) => void;
}

/**
 * Callers waiting for invocations to finish. A local finish notifies them at
 * once; since another process may run the invocation, each waiter also checks
 * the store now and then (25 ms doubling to 1 s).
 */
export class ResultWaiters {
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly active: () => boolean,
  ) {}

  /** `accepted`, when given, holds the store checks back until the invocation is in the store. */
  wait(id: string, accepted?: Promise<unknown>): Promise<InvocationRecord> {
    return new Promise<InvocationRecord>((resolve, reject) => {
      const list = this.waiters.get(id) ?? [];
      let timer: NodeJS.Timeout | undefined;
      let wait = 25;
      const settle = (fn: () => void) => {
        if (timer) clearTimeout(timer);
        fn();
      };
      list.push({ resolve: (r) => settle(() => resolve(r)), reject: (e) => settle(() => reject(e)) });
      this.waiters.set(id, list);
      const next = () => {
        if (!this.waiters.has(id) || !this.active()) return;
        timer = setTimeout(() => void check(), wait);
        timer.unref();
      };
      const check = async () => {
        try {
          const rec = await this.store.getInvocation(id);
          if (rec && rec.status !== 'pending') return this.notify(rec);
          if (!rec) return this.reject(id, new RuntimeStateError(`invocation ${id} is unknown to the store (swept after its TTL?)`));
        } catch (err) {
          this.log.warn(`checking invocation ${id}: ${(err as Error).message}`);
        }
        wait = Math.min(wait * 2, 1000);
        next();
      };
      if (accepted) accepted.then(next, () => {});
      else next();
    });
  }

  notify(rec: InvocationRecord): void {
    const list = this.waiters.get(rec.id);
    if (!list) return;
    this.waiters.delete(rec.id);
    for (const w of list) w.resolve(rec);
  }

  reject(id: string, err: unknown): void {
    const list = this.waiters.get(id);
    if (!list) return;
    this.waiters.delete(id);
    for (const w of list) w.reject(err);
  }

  rejectAll(reason: (id: string) => Error): void {
    for (const id of [...this.waiters.keys()]) this.reject(id, reason(id));
  }
}
