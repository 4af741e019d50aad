import type { EngineView } from '../core/observer.js';
import type { Store } from '../ports/store.js';
import type { LoopLag } from './lag.js';
import { timerDelay } from '../core/timers.js';

/** What `GET /health` answers. */
export interface HealthReport {
  /** `ok`; `degraded` (running, but the store is unreachable or slow, or the event loop was blocked); `down` (not running). */
  status: 'ok' | 'degraded' | 'down';
  /** Actors with an activation or queued work in memory. */
  actors: number;
  /** Invocations queued in memory on this worker. */
  messages: number;
  /** Partitions whose lease this worker holds. */
  partitions: number;
  worker: string | undefined;
  store: { reachable: boolean; latencyMs: number | undefined; error?: string };
  /** Largest event-loop delay over the last 10–20 s, ms. */
  eventLoopLagMs: number;
  /** Why the status is not `ok`. */
  reasons: string[];
}

export interface HealthCheckOptions {
  /** A store probe slower than this fails, ms. Default 2000. */
  storeTimeoutMs: number;
  /** Event-loop delay above this makes the worker degraded, ms. Default 1000. */
  maxLagMs: number;
}

/** Runs the checks behind `/health` and `/ready`. */
export async function checkHealth(view: EngineView | undefined, store: () => Store, lag: LoopLag, opts: HealthCheckOptions): Promise<HealthReport> {
  const reasons: string[] = [];
  const running = view?.isRunning === true;
  let queued = 0;
  if (running) for (const q of view.queued().values()) queued += q.depth;
  const report: HealthReport = {
    status: 'ok',
    actors: view?.activeActors ?? 0,
    messages: queued,
    partitions: view?.ownedPartitions.length ?? 0,
    worker: view?.workerId,
    store: { reachable: false, latencyMs: undefined },
    eventLoopLagMs: lag.maxMs,
    reasons,
  };
  if (!running || !view) {
    report.status = 'down';
    reasons.push('the runtime is not running (not started, or stopping)');
    return report;
  }
  const t0 = Date.now();
  try {
    await probe(store(), opts.storeTimeoutMs);
    report.store = { reachable: true, latencyMs: Date.now() - t0 };
  } catch (err) {
    report.store = { reachable: false, latencyMs: undefined, error: (err as Error).message };
    reasons.push(`the store did not answer: ${(err as Error).message}`);
  }
  if (report.store.reachable && view.storeDegraded) reasons.push('store or lease-store calls failed or missed their deadline recently');
  if (report.eventLoopLagMs > opts.maxLagMs) reasons.push(`the event loop was blocked for ${report.eventLoopLagMs} ms`);
  if (reasons.length > 0) report.status = 'degraded';
  return report;
}

function probe(store: Store, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    store.now(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), timerDelay(ms));
    }),
  ]).finally(() => clearTimeout(timer));
}
