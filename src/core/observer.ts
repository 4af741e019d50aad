import type { AttemptEvent } from './attempt.js';
import type { Envelope } from './envelope.js';
import type { InvocationRecord, JournalEntry } from '../ports/store.js';

/** Why a partition lease left this worker. */
export type LeaseLossReason = 'fenced' | 'expired' | 'renewal-timeout' | 'handoff' | 'stopped';

/** Store operations the engine watches with a deadline. */
export type WatchedStoreOp = 'heartbeat' | 'lease-renewal' | 'lease-acquisition' | 'members' | 'commit';

/**
 * What an engine shows an observer: read on demand (a metrics scrape, a health
 * check), never pushed on the hot path.
 */
export interface EngineView {
  readonly isRunning: boolean;
  readonly ownedPartitions: number[];
  readonly activeActors: number;
  /** Invocations queued in memory per owned partition, and the oldest one's `createdAt`. */
  queued(): Map<number, { depth: number; oldestAt: number }>;
  /** True while a store or lease-store call failed or missed its deadline and has not succeeded since. */
  readonly storeDegraded: boolean;
  /** The worker's name in leases. */
  readonly workerId: string;
  /** The engine's clock (local, corrected to the store's). */
  now(): number;
}

/**
 * Narrow lifecycle hooks for observability (traces, metrics, OpenTelemetry).
 * Every hook is optional and runs synchronously on the engine's path, so it
 * must be cheap and must not throw or do I/O itself (buffer, then flush
 * elsewhere). An engine without an observer pays one `undefined` check per
 * hook point.
 *
 * Hooks fire for work done now, never for work replayed from the journal: a
 * replayed step or send calls nothing.
 */
export interface EngineObserver {
  /** The engine started (or the observer was added to a running one). */
  attach?(view: EngineView): void;
  /**
   * A message is about to be validated: the observer may set `env.trace` (a
   * W3C trace context) when it is unset. `parent` is the invocation sending it
   * from a handler, undefined for a message from outside.
   */
  outgoing?(env: Envelope, parent: InvocationRecord | undefined): void;
  /**
   * A message was durably accepted (`duplicate`: an earlier one with the same key
   * answers it, and `rec` is that one). `trace` is the accepted message's own
   * trace context, where known.
   */
  accepted?(rec: InvocationRecord, duplicate: boolean, trace?: unknown): void;
  /** An attempt starts running its handler; `resumed`: it started before (journal replays). */
  attemptStarted?(rec: InvocationRecord, epoch: number, resumed: boolean): void;
  /**
   * A step starts running `fn` (not on replay). The returned function, if any,
   * is called when the step's result is recorded (or with the error).
   */
  stepStarted?(rec: InvocationRecord, position: number, name: string): ((entry: JournalEntry | undefined, err?: unknown) => void) | void;
  /** An attempt ended (also what `onAttempt` gets); `stateVersion` after a completion. */
  attemptEnded?(event: AttemptEvent, rec: InvocationRecord, stateVersion: number | undefined): void;
  /** This worker took a partition lease. */
  leaseAcquired?(partition: number, epoch: number): void;
  /** This worker no longer holds a partition. */
  leaseLost?(partition: number, epoch: number | undefined, reason: LeaseLossReason): void;
  /** The store rejected a write because its lease epoch was stale. */
  staleWrite?(partition: number, epoch: number | undefined, invocationId: string): void;
  /** A group-commit round trip returned: how many items it carried and how long it took. */
  committed?(items: number, ms: number): void;
  /** A watched store call missed its deadline (`timedOut`) or failed; `ok` once it works again. */
  storeCall?(op: WatchedStoreOp, ok: boolean, timedOut: boolean): void;
  /** The engine stopped; the store is still open: write out what is buffered. */
  stopped?(): Promise<void> | void;
}

const HOOKS = ['attach', 'outgoing', 'accepted', 'attemptStarted', 'stepStarted', 'attemptEnded', 'leaseAcquired', 'leaseLost', 'staleWrite', 'committed', 'storeCall', 'stopped'] as const;

/**
 * One observer that calls each of `list` in turn; only hooks that some member
 * has are defined, so an unused hook stays a skipped `undefined` check. An
 * observer that throws is caught and reported through `onError`.
 */
export function combineObservers(list: readonly EngineObserver[], onError: (err: unknown) => void): EngineObserver | undefined {
  if (list.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const hook of HOOKS) {
    const fns = list.map((o) => o[hook]?.bind(o)).filter((f): f is NonNullable<typeof f> => f !== undefined) as Hook[];
    if (fns.length === 0) continue;
    if (hook === 'stopped') {
      out[hook] = () => Promise.all(fns.map((f) => Promise.resolve().then(() => f()).catch(onError))).then(() => undefined);
    } else if (fns.length === 1) {
      // The usual case, one observer: no array, no rest arguments on the hot path.
      const f = fns[0]!;
      out[hook] = (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => {
        try {
          return f(a, b, c, d);
        } catch (err) {
          onError(err);
          return undefined;
        }
      };
    } else {
      out[hook] = (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => {
        let ends: Hook[] | undefined;
        for (const f of fns) {
          try {
            const r = f(a, b, c, d);
            if (typeof r === 'function') (ends ??= []).push(r as Hook);
          } catch (err) {
            onError(err);
          }
        }
        if (!ends) return undefined;
        const all = ends;
        return (x?: unknown, y?: unknown) => {
          for (const e of all) {
            try {
              e(x, y);
            } catch (err) {
              onError(err);
            }
          }
        };
      };
    }
  }
  return out as EngineObserver;
}

type Hook = (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => unknown;
