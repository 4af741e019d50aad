import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptEvent } from '../core/attempt.js';
import type { EngineObserver, EngineView, LeaseLossReason, WatchedStoreOp } from '../core/observer.js';
import type { InvocationRecord } from '../ports/store.js';
import { LocalCounter, LocalHistogram } from './local-metrics.js';

/** More actor types than this share the label value `other`, so a bug cannot explode the series count. */
const MAX_ACTOR_TYPES = 200;
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
const FINAL: Partial<Record<AttemptEvent['outcome'], string>> = { completed: 'completed', failed: 'failed', dead: 'dead_lettered' };

/**
 * Loom's Prometheus metrics, in a registry of their own (never prom-client's
 * default one). Labels are bounded: actor type (capped), outcome, partition
 * (at most the partition count), reason and store operation; never an actor
 * id, an invocation id or anything from a payload.
 */
export class LoomMetrics implements EngineObserver {
  readonly registry: Registry;
  private view: EngineView | undefined;
  private readonly types = new Set<string>();
  // The series per actor type are Loom's own numbers, given to prom-client at scrape (local-metrics.ts).
  private readonly acceptedTotal: LocalCounter;
  private readonly dedupTotal: LocalCounter;
  private readonly finishedTotal: LocalCounter;
  private readonly attemptsTotal: LocalCounter;
  private readonly retriesTotal: LocalCounter;
  private readonly suspensionsTotal: LocalCounter;
  private readonly attemptSeconds: LocalHistogram;
  private readonly e2eSeconds: LocalHistogram;
  private readonly stepSeconds: LocalHistogram;
  private readonly leaseAcquiredTotal: Counter;
  private readonly leaseLostTotal: Counter<'reason'>;
  private readonly staleWritesTotal: Counter;
  private readonly commitSeconds: Histogram;
  private readonly commitBatch: Histogram;
  private readonly storeFailures: Counter<'op' | 'kind'>;
  private readonly storeUp: Gauge;
  readonly traceDropped: Counter<'sink'>;
  /** Set by the health server's probe and the lag monitor. */
  readonly loopLag: Gauge;
  private storeDown = false;

  constructor(registry?: Registry) {
    const r = (this.registry = registry ?? new Registry());
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) => new Counter<L>({ name, help, labelNames, registers: [r] });
    const hist = <L extends string>(name: string, help: string, labelNames: L[], buckets = LATENCY_BUCKETS) => new Histogram<L>({ name, help, labelNames, buckets, registers: [r] });
    const typeCounter = (name: string, help: string, _labelNames: string[]) => new LocalCounter(name, help, r);
    const typeHist = (name: string, help: string, _labelNames: string[]) => new LocalHistogram(name, help, r, LATENCY_BUCKETS);
    this.acceptedTotal = typeCounter('loom_invocations_accepted_total', 'Messages durably accepted (new invocations), by actor type.', ['actor_type']);
    this.dedupTotal = typeCounter('loom_messages_deduplicated_total', 'Messages answered by an earlier invocation with the same idempotency key.', ['actor_type']);
    this.finishedTotal = typeCounter('loom_invocations_finished_total', 'Invocations that reached a final outcome (completed, failed, dead_lettered).', ['actor_type', 'outcome']);
    this.attemptsTotal = typeCounter('loom_attempts_total', 'Attempts run here, by how they ended (completed, suspended, retry, failed, dead, abandoned).', ['actor_type', 'outcome']);
    this.retriesTotal = typeCounter('loom_retries_total', 'Attempts that failed and were scheduled for a retry.', ['actor_type']);
    this.suspensionsTotal = typeCounter('loom_suspensions_total', 'Attempts that suspended on a sleep, promise or awaited call.', ['actor_type']);
    this.attemptSeconds = typeHist('loom_attempt_duration_seconds', 'Duration of one attempt, from its start to its committed outcome.', ['actor_type', 'outcome']);
    this.e2eSeconds = typeHist('loom_invocation_duration_seconds', 'End-to-end latency: from acceptance to the final outcome.', ['actor_type', 'outcome']);
    this.stepSeconds = typeHist('loom_step_duration_seconds', 'Duration of a step function (not replayed steps).', ['actor_type', 'outcome']);
    this.leaseAcquiredTotal = counter('loom_lease_acquisitions_total', 'Partition leases taken by this worker.');
    this.leaseLostTotal = counter('loom_lease_losses_total', 'Partition leases this worker lost or gave up, by reason.', ['reason']);
    this.staleWritesTotal = counter('loom_stale_writes_rejected_total', 'Writes the store rejected because their lease epoch was stale (fencing).');
    this.commitSeconds = hist('loom_store_commit_duration_seconds', 'Duration of one group-commit round trip to the store.', []);
    this.commitBatch = hist('loom_store_commit_batch_size', 'Enqueues and turns carried by one group-commit round trip.', [], BATCH_BUCKETS);
    this.storeFailures = counter('loom_store_call_failures_total', 'Watched store calls that failed or missed their deadline (kind: error, timeout).', ['op', 'kind']);
    this.storeUp = new Gauge({ name: 'loom_store_up', help: '1 while the store answers within its deadlines, 0 while it does not.', registers: [r] });
    this.traceDropped = counter('loom_trace_events_dropped_total', 'Trace events dropped because a sink failed or fell behind.', ['sink']);
    this.loopLag = new Gauge({ name: 'loom_event_loop_lag_seconds', help: 'Largest event-loop delay seen over the last window.', registers: [r] });
    this.storeUp.set(1);
    const view = () => this.view;
    new Gauge({
      name: 'loom_partitions_held',
      help: 'Partitions whose lease this worker holds.',
      registers: [r],
      collect() {
        this.set(view()?.ownedPartitions.length ?? 0);
      },
    });
    new Gauge({
      name: 'loom_activations',
      help: 'Actors with an activation or queued work in memory.',
      registers: [r],
      collect() {
        this.set(view()?.activeActors ?? 0);
      },
    });
    new Gauge<'partition'>({
      name: 'loom_queue_depth',
      help: 'Invocations queued in memory per held partition.',
      labelNames: ['partition'],
      registers: [r],
      collect() {
        this.reset();
        const v = view();
        if (!v) return;
        const q = v.queued();
        for (const p of v.ownedPartitions) this.set({ partition: String(p) }, q.get(p)?.depth ?? 0);
      },
    });
    new Gauge<'partition'>({
      name: 'loom_queue_oldest_pending_seconds',
      help: 'Age of the oldest invocation queued in memory per held partition (0 when empty).',
      labelNames: ['partition'],
      registers: [r],
      collect() {
        this.reset();
        const v = view();
        if (!v) return;
        const q = v.queued();
        const now = v.now();
        for (const p of v.ownedPartitions) {
          const e = q.get(p);
          this.set({ partition: String(p) }, e ? Math.max(0, (now - e.oldestAt) / 1000) : 0);
        }
      },
    });
  }

  attach(view: EngineView): void {
    this.view = view;
  }

  /** The actor type as a label value: bounded. */
  private type(t: string): string {
    if (this.types.has(t)) return t;
    if (this.types.size >= MAX_ACTOR_TYPES) return 'other';
    this.types.add(t);
    return t;
  }

  /** Series of each actor type, resolved once: prom-client hashes a label object on every `labels()` call. */
  private readonly series = new Map<string, TypeSeries>();

  private of(actorType: string): TypeSeries {
    let s = this.series.get(actorType);
    if (!s) this.series.set(actorType, (s = new TypeSeries(this, this.type(actorType))));
    return s;
  }

  /** @internal The labelled child of one of this registry's metrics (used by TypeSeries). */
  labelled(metric: 'accepted' | 'dedup' | 'retries' | 'suspensions' | 'step' | 'attempts' | 'attemptSeconds' | 'finished' | 'e2e', labels: Record<string, string>): Child {
    const m = {
      accepted: this.acceptedTotal,
      dedup: this.dedupTotal,
      retries: this.retriesTotal,
      suspensions: this.suspensionsTotal,
      step: this.stepSeconds,
      attempts: this.attemptsTotal,
      attemptSeconds: this.attemptSeconds,
      finished: this.finishedTotal,
      e2e: this.e2eSeconds,
    }[metric];
    return m.labels(labels) as unknown as Child;
  }

  accepted(rec: InvocationRecord, duplicate: boolean): void {
    const s = this.of(rec.actorType);
    if (duplicate) (s.dedup ??= this.labelled('dedup', { actor_type: s.type })).inc();
    else (s.accepted ??= this.labelled('accepted', { actor_type: s.type })).inc();
  }

  /** A step of `rec` that started at `t0` (performance.now()) has ended. */
  stepEnded(rec: InvocationRecord, t0: number, ok: boolean): void {
    const s = this.of(rec.actorType);
    const c = ok ? (s.stepOk ??= this.labelled('step', { actor_type: s.type, outcome: 'ok' })) : (s.stepError ??= this.labelled('step', { actor_type: s.type, outcome: 'error' }));
    c.observe((performance.now() - t0) / 1000);
  }

  attemptEnded(event: AttemptEvent, rec: InvocationRecord): void {
    const s = this.of(event.actorType);
    const o = event.outcome;
    const c = s.outcome(o);
    c.attempts.inc();
    c.seconds.observe(event.durationMs / 1000);
    if (o === 'retry') (s.retries ??= this.labelled('retries', { actor_type: s.type })).inc();
    else if (o === 'suspended') (s.suspensions ??= this.labelled('suspensions', { actor_type: s.type })).inc();
    if (c.finished) {
      c.finished.inc();
      const now = this.view ? this.view.now() : Date.now();
      c.e2e!.observe(Math.max(0, now - rec.createdAt) / 1000);
    }
  }

  leaseAcquired(): void {
    this.leaseAcquiredTotal.inc();
  }

  leaseLost(_p: number, _e: number | undefined, reason: LeaseLossReason): void {
    this.leaseLostTotal.inc({ reason });
  }

  staleWrite(): void {
    this.staleWritesTotal.inc();
  }

  committed(items: number, ms: number): void {
    this.commitSeconds.observe(ms / 1000);
    this.commitBatch.observe(items);
  }

  storeCall(op: WatchedStoreOp, ok: boolean, timedOut: boolean): void {
    if (!ok) {
      this.storeFailures.inc({ op, kind: timedOut ? 'timeout' : 'error' });
      if (!this.storeDown) this.storeUp.set(0);
      this.storeDown = true;
    } else if (this.storeDown) {
      this.storeDown = false;
      this.storeUp.set(1);
    }
  }

  /** Sets `loom_store_up` from an outside probe (the health check). */
  setStoreUp(up: boolean): void {
    this.storeDown = !up;
    this.storeUp.set(up ? 1 : 0);
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

interface Child {
  inc(): void;
  observe(v: number): void;
}

/** The series of one actor type, each made on first use. */
class TypeSeries {
  accepted: Child | undefined;
  dedup: Child | undefined;
  retries: Child | undefined;
  suspensions: Child | undefined;
  stepOk: Child | undefined;
  stepError: Child | undefined;
  private readonly outcomes = new Map<string, { attempts: Child; seconds: Child; finished: Child | undefined; e2e: Child | undefined }>();

  constructor(
    private readonly m: LoomMetrics,
    /** The label value (bounded: `other` past the cap). */
    readonly type: string,
  ) {}

  outcome(o: string): { attempts: Child; seconds: Child; finished: Child | undefined; e2e: Child | undefined } {
    let c = this.outcomes.get(o);
    if (!c) {
      const final = FINAL[o as AttemptEvent['outcome']];
      const labels = { actor_type: this.type, outcome: o };
      c = {
        attempts: this.m.labelled('attempts', labels),
        seconds: this.m.labelled('attemptSeconds', labels),
        finished: final ? this.m.labelled('finished', { actor_type: this.type, outcome: final }) : undefined,
        e2e: final ? this.m.labelled('e2e', { actor_type: this.type, outcome: final }) : undefined,
      };
      this.outcomes.set(o, c);
    }
    return c;
  }
}
