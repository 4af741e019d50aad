import type { Store } from '../ports/store.js';

/** Counts the store calls made through it: the cost of Studio's views, reported by /api/stats. */
export interface QueryCounter {
  store: Store;
  readonly count: number;
}

/** Wraps a store (with its lease manager, admin and trace capabilities) so that every method call is counted. */
export function countQueries(store: Store): QueryCounter {
  let count = 0;
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if ((prop === 'leases' || prop === 'admin' || prop === 'traces') && v && typeof v === 'object') return wrap(v);
        if (typeof v !== 'function' || prop === 'constructor') return v;
        return (...args: unknown[]) => {
          count++;
          return (v as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  const wrapped = wrap(store);
  return { store: wrapped, get count() { return count; } };
}
