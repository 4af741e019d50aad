import { ConfigError } from '../../core/errors.js';
import type { Store } from '../../ports/store.js';
import type { EncodedTraceBatch, TraceBounds, TraceEvent, TraceSink } from '../../ports/trace.js';
import { decodeGroup } from '../trace-groups.js';

/** Options of {@link StoreTraceSink}. */
export interface StoreTraceSinkOptions {
  /** How long events are kept, ms. Default 24 h. */
  ttlMs?: number;
  /** Events kept at most; the oldest go first. Default 100000. */
  maxEvents?: number;
}

/**
 * Keeps trace events in the store itself, beside the records they refer to,
 * bounded by a TTL and a cap; read them back with `runtime.traces(...)`. Give
 * it the runtime's store, or nothing to use the store of the runtime it is
 * attached to (`observe` and `createHealthServer` do that).
 */
export class StoreTraceSink implements TraceSink {
  readonly name = 'store';
  readonly bounds: TraceBounds;
  private store: Store | undefined;

  constructor(storeOrOptions?: Store | StoreTraceSinkOptions, options: StoreTraceSinkOptions = {}) {
    const store = isStore(storeOrOptions) ? storeOrOptions : undefined;
    if (!store && storeOrOptions) options = storeOrOptions as StoreTraceSinkOptions;
    this.store = store;
    this.bounds = { ttlMs: options.ttlMs ?? 86_400_000, maxEvents: options.maxEvents ?? 100_000 };
    for (const [k, v] of Object.entries(this.bounds)) {
      if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`StoreTraceSink option ${k} must be a positive integer, got ${String(v)}`);
    }
    if (store && !store.traces) throw notSupported(store);
  }

  /** Sets the store when none was given (done on attach). */
  useStore(store: Store): void {
    if (this.store) return;
    if (!store.traces) throw notSupported(store);
    this.store = store;
  }

  async write(events: readonly TraceEvent[]): Promise<void> {
    await this.traces().appendTraces(events, this.bounds);
  }

  /** The buffer's batch in the stores' compact form: no event objects are made for it. */
  writeEncoded(batch: EncodedTraceBatch): Promise<void> {
    // Not async: a suspended frame would hold the groups until the write is done.
    try {
      const t = this.traces();
      return t.appendEncoded ? t.appendEncoded(batch, this.bounds) : t.appendTraces(batch.groups().flatMap((g) => decodeGroup(g[3])), this.bounds);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private traces(): NonNullable<Store['traces']> {
    if (!this.store) throw new ConfigError('StoreTraceSink has no store yet: pass one, or attach it with observe(runtime, ...)');
    return this.store.traces!;
  }
}

function isStore(x: unknown): x is Store {
  return typeof x === 'object' && x !== null && typeof (x as Store).commit === 'function' && typeof (x as Store).init === 'function';
}

function notSupported(store: Store): ConfigError {
  return new ConfigError(`the store ${store.constructor.name} does not keep trace events (it has no "traces" capability); use JsonLinesSink or another store`);
}
