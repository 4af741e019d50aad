import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError, InvalidMessageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ActorRuntime, CallMessage } from '../runtime/actor-runtime.js';
import type { DiscoveryEntryInput, DiscoveryStore } from '../ports/discovery.js';
import { NoProviderError } from './errors.js';
import { pick, type DiscoveredActor, type PickStrategy } from './pick.js';
import { timerDelay } from '../core/timers.js';

/** What `discovery.register` takes. */
export interface Registration {
  actorId: string;
  /** Default: the registered type whose kebab name prefixes `actorId` (`stripe-psp-1` → StripePsp). */
  actorType?: string;
  capabilities: string[];
  /** Plain JSON, matched by `find({ metadata })`. */
  metadata?: Record<string, unknown>;
  /** Reported at each heartbeat; `least-loaded` prefers lower values. Default 0. */
  load?: () => number;
}

/** What `discovery.find` takes: every `metadata` key given must equal the entry's. */
export interface FindQuery {
  capability: string;
  metadata?: Record<string, unknown>;
}

/** A call by capability: `runtime.call({ capability, method, args, pick })`. */
export interface CapabilityCall extends Omit<CallMessage, 'actorType' | 'actorId'> {
  capability: string;
  /** Only actors whose metadata has these values. */
  metadata?: Record<string, unknown>;
  /** Default `'random'`. */
  pick?: PickStrategy;
}

/** Options of a runtime's discovery. */
export interface DiscoveryOptions {
  /** How long an entry lives without a heartbeat, ms. Default 15000; heartbeats come every third of it. */
  ttlMs?: number;
}

/**
 * Service discovery on the runtime's store: actors registered with
 * capabilities and metadata, found by capability, kept alive by heartbeats
 * from the registering process so that a dead worker's entries expire.
 * Reach it as `runtime.discovery`.
 */
export class Discovery {
  private readonly mine = new Map<string, { entry: Omit<DiscoveryEntryInput, 'load'>; load?: () => number }>();
  private readonly inflight = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  private readonly owner: string;
  private ttlMs = 15_000;

  constructor(
    private readonly runtime: ActorRuntime,
    private readonly log: Logger,
  ) {
    this.owner = runtime.options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** Sets the entry TTL (before the first registration). */
  configure(options: DiscoveryOptions): this {
    if (options.ttlMs !== undefined) {
      if (!Number.isInteger(options.ttlMs) || options.ttlMs < 30) throw new ConfigError(`discovery ttlMs must be an integer of at least 30 ms, got ${String(options.ttlMs)}`);
      this.ttlMs = options.ttlMs;
      if (this.timer) this.schedule();
    }
    return this;
  }

  private async port(): Promise<DiscoveryStore> {
    await this.runtime.start();
    const d = this.runtime.store.discovery;
    if (!d) throw new ConfigError(`the store ${this.runtime.store.constructor.name} has no discovery support; use the memory, SQLite, Redis or PostgreSQL store`);
    return d;
  }

  /** Registers an actor (or refreshes its registration); heartbeats keep it alive until `unregister` or `runtime.stop()`. */
  async register(reg: Registration): Promise<DiscoveredActor> {
    const d = await this.port();
    if (typeof reg !== 'object' || reg === null || typeof reg.actorId !== 'string' || reg.actorId === '') {
      throw new InvalidMessageError('discovery.register needs { actorId, capabilities }, with a non-empty string actorId');
    }
    const caps = reg.capabilities;
    if (!Array.isArray(caps) || caps.length === 0 || caps.some((c) => typeof c !== 'string' || c === '')) {
      throw new InvalidMessageError(`discovery.register ${reg.actorId}: capabilities must be a non-empty array of non-empty strings, got ${JSON.stringify(caps)}`);
    }
    const metadata = plainJson(reg.metadata ?? {}, `discovery.register ${reg.actorId}: metadata`);
    const actorType = reg.actorType ?? this.runtime.typeOf(reg.actorId);
    const entry = { actorType, actorId: reg.actorId, capabilities: [...new Set(caps)], metadata, owner: this.owner };
    const full = { ...entry, load: loadOf(reg.load) };
    await d.put(full, this.ttlMs);
    this.mine.set(key(actorType, reg.actorId), { entry, ...(reg.load ? { load: reg.load } : {}) });
    if (!this.timer) this.schedule();
    return { ...full, expiresAt: (await this.runtime.store.now()) + this.ttlMs };
  }

  /** Live registrations offering the capability (and matching `metadata`), ordered by type and id. */
  async find(query: FindQuery): Promise<DiscoveredActor[]> {
    const d = await this.port();
    if (typeof query?.capability !== 'string' || query.capability === '') throw new InvalidMessageError('discovery.find needs { capability } with a non-empty string');
    const found = await d.find(query.capability);
    const want = query.metadata ? Object.entries(query.metadata) : [];
    return found.filter((e) => want.every(([k, v]) => JSON.stringify(e.metadata[k]) === JSON.stringify(v)));
  }

  /** Removes a registration at once and stops its heartbeat; false when there was none. */
  async unregister(reg: { actorId: string; actorType?: string }): Promise<boolean> {
    const d = await this.port();
    const actorType = reg.actorType ?? this.runtime.typeOf(reg.actorId);
    this.mine.delete(key(actorType, reg.actorId));
    if (this.mine.size === 0) this.stopTimer();
    return d.remove(actorType, reg.actorId);
  }

  /** Calls a method on an actor that offers the capability. Rejects with `NoProviderError` when none does. */
  async call<T = unknown>(msg: CapabilityCall): Promise<T> {
    const { capability, metadata, pick: strategy = 'random', ...rest } = msg;
    const candidates = await this.find({ capability, ...(metadata ? { metadata } : {}) });
    if (candidates.length === 0) {
      const filter = metadata ? ` with metadata ${JSON.stringify(metadata)}` : '';
      throw new NoProviderError(`no live actor offers capability "${capability}"${filter}: register one with runtime.discovery.register({ actorId, capabilities: ['${capability}'] }) on a running worker`, capability);
    }
    const chosen = pick(candidates, strategy, (e) => this.inflight.get(key(e.actorType, e.actorId)) ?? 0);
    const k = key(chosen.actorType, chosen.actorId);
    this.inflight.set(k, (this.inflight.get(k) ?? 0) + 1);
    try {
      return await this.runtime.call<T>({ ...rest, actorType: chosen.actorType, actorId: chosen.actorId });
    } finally {
      const n = (this.inflight.get(k) ?? 1) - 1;
      if (n > 0) this.inflight.set(k, n);
      else this.inflight.delete(k);
    }
  }

  /** Stops heartbeats and removes this process's registrations (called by `runtime.stop()`). */
  async close(): Promise<void> {
    this.stopTimer();
    let d: DiscoveryStore | undefined;
    try {
      d = this.runtime.store.discovery;
    } catch {
      return; // never started
    }
    const mine = [...this.mine.values()];
    this.mine.clear();
    if (!d) return;
    await Promise.all(mine.map(({ entry }) => d.remove(entry.actorType, entry.actorId).catch(() => false)));
  }

  private schedule(): void {
    this.stopTimer();
    this.timer = setInterval(() => void this.heartbeat(), timerDelay(Math.max(10, Math.floor(this.ttlMs / 3))));
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async heartbeat(): Promise<void> {
    const d = this.runtime.store.discovery;
    if (!d || this.beating) return; // a slow store: the next beat goes once this one is done
    this.beating = true;
    try {
      await Promise.all(
        [...this.mine.values()].map(({ entry, load }) =>
          d.put({ ...entry, load: loadOf(load) }, this.ttlMs).catch((err: unknown) => {
            this.log.warn(`discovery: heartbeat of ${entry.actorType}/${entry.actorId} failed (it expires ${this.ttlMs} ms after the last one that worked): ${(err as Error).message}`);
          }),
        ),
      );
    } finally {
      this.beating = false;
    }
  }
}

const key = (type: string, id: string): string => `${type}\0${id}`;

function loadOf(fn: (() => number) | undefined): number {
  if (!fn) return 0;
  const v = fn();
  return Number.isFinite(v) ? v : 0;
}

function plainJson(value: Record<string, unknown>, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidMessageError(`${what} must be a plain object`);
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidMessageError(`${what} must be plain JSON: ${(err as Error).message}`);
  }
}
