import { ConfigError } from '../core/errors.js';
import type { Store } from '../ports/store.js';
import type { Transport } from '../ports/transport.js';

const DEFERRED = Symbol.for('loom.deferredAdapter');

/**
 * An adapter whose driver is loaded only when the runtime starts: what the root
 * `loom` module exports under the seed README's names, so that `import 'loom'`
 * never loads ioredis or bullmq. `ActorRuntime` builds the real adapter with
 * `load()` in `start()`.
 */
export interface Deferred<T> {
  readonly [DEFERRED]: true;
  /** The adapter's name, for errors. */
  readonly adapterName: string;
  /** Loads the driver and builds the real adapter (once; later calls return the same one). */
  load(): Promise<T>;
}

/** A store, or one whose driver loads on start. */
export type StoreOption = Store | Deferred<Store>;
/** A transport, or one whose driver loads on start. */
export type TransportOption = Transport | Deferred<Transport>;

/** True for a {@link Deferred} adapter. */
export function isDeferred<T>(x: unknown): x is Deferred<T> {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[DEFERRED] === true;
}

/** The real adapter behind an option (loading its driver if needed). */
export async function resolveAdapter<T>(x: T | Deferred<T>): Promise<T> {
  return isDeferred<T>(x) ? x.load() : x;
}

/**
 * Base of the deferred adapters: `build` imports the adapter module; a missing
 * driver package becomes a ConfigError that says what to install.
 */
export abstract class DeferredAdapter<T> implements Deferred<T> {
  readonly [DEFERRED] = true as const;
  private loading: Promise<T> | undefined;

  protected constructor(
    readonly adapterName: string,
    private readonly packages: readonly string[],
  ) {}

  protected abstract build(): Promise<T>;

  load(): Promise<T> {
    this.loading ??= this.build().catch((err: unknown) => {
      this.loading = undefined;
      throw missingDriver(err, this.adapterName, this.packages) ?? err;
    });
    return this.loading;
  }
}

/** A ConfigError naming the package to install when `err` says one of `packages` is missing; else undefined. */
export function missingDriver(err: unknown, adapter: string, packages: readonly string[]): ConfigError | undefined {
  const e = err as { code?: string; message?: string };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') return undefined;
  const missing = packages.find((p) => e.message?.includes(`'${p}'`) || e.message?.includes(`"${p}"`));
  if (!missing) return undefined;
  return new ConfigError(
    `${adapter} needs the ${missing} package, which is not installed: run npm install ${packages.join(' ')}`,
    { cause: err },
  );
}
