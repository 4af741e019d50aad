import type { AttemptEvent } from '../core/attempt.js';
import type { EngineObserver, EngineView, LeaseLossReason } from '../core/observer.js';
import type { InvocationRecord, JournalEntry } from '../ports/store.js';
import { rootSampled, traceOfRecord, type AttemptScope, type Scopes } from './scope.js';
import type { TraceBuffer } from './trace-buffer.js';
import { K } from './trace-columns.js';
import { newTraceId, traceContextOf } from './trace-context.js';

const ENDED: Partial<Record<AttemptEvent['outcome'], number>> = {
  completed: K.Completed,
  suspended: K.Suspended,
  retry: K.Retried,
  failed: K.Failed,
  dead: K.Dead,
};

/**
 * Turns the engine's lifecycle into reference-based trace events: each names
 * the message, invocation, journal position, idempotency record, state
 * version or lease it is about, never a payload. On the hot path an event is
 * only numbers and references appended to the buffer's columns; its refs,
 * time string and stored form are made at the flush (trace-columns.ts).
 */
export class TraceRecorder implements EngineObserver {
  private view: EngineView | undefined;
  /** Lease events belong to no invocation: they share one trace per worker run. */
  private readonly leaseTrace = newTraceId();

  constructor(
    private readonly buffer: TraceBuffer,
    private readonly scopes: Scopes,
  ) {}

  attach(view: EngineView): void {
    this.view = view;
    this.buffer.setWorker(view.workerId);
  }

  private now(): number {
    return this.view ? this.view.now() : Date.now();
  }

  accepted(rec: InvocationRecord, duplicate: boolean, trace?: unknown): void {
    const own = trace === undefined ? traceOfRecord(rec) : traceContextOf(trace);
    // Head-based sampling: an unsampled trace makes no event at all.
    if (own && (own.flags & 1) === 0) return;
    // A root's trace id is left for the flush to make from its invocation id ('').
    if (!own && !rootSampled(rec.id, this.scopes.ratio)) return;
    const traceId = own ? own.traceId : '';
    this.buffer.add(duplicate ? K.Deduplicated : K.Accepted, this.now(), traceId, own?.spanId, rec, rec.attempt, 0, 0, -1, undefined, undefined);
  }

  /** `scope`: the attempt's, just opened (looked up when not given). */
  attemptStarted(rec: InvocationRecord, epoch: number, resumed: boolean, scope = this.scopes.get(rec.id)): void {
    if (!scope?.sampled) return;
    this.buffer.add(resumed ? K.Resumed : K.Started, this.now(), scope.traceId, scope.spanId, rec, rec.attempt, 0, epoch, -1, undefined, undefined);
  }

  /** A step of the attempt in `scope` was journaled at `position`. */
  stepJournaled(rec: InvocationRecord, position: number, name: string, entry: JournalEntry, scope: AttemptScope): void {
    if (!scope.sampled) return;
    this.buffer.add(K.Step, this.now(), scope.traceId, scope.spanId, rec, rec.attempt, position, 0, -1, entry.kind, name);
  }

  attemptEnded(event: AttemptEvent, rec: InvocationRecord, stateVersion: number | undefined, scope?: AttemptScope): void {
    const kind = ENDED[event.outcome];
    if (kind === undefined || !scope?.sampled) return;
    // A retry or failure bumped rec.attempt already; the event names the attempt that ran.
    this.buffer.add(kind, this.now(), scope.traceId, scope.spanId, rec, event.attempt, 0, scope.epoch, stateVersion ?? -1, event.error?.code || undefined, undefined);
  }

  leaseAcquired(partition: number, epoch: number): void {
    this.buffer.add(K.LeaseAcquired, this.now(), this.leaseTrace, undefined, undefined, 0, partition, epoch, -1, undefined, undefined);
  }

  leaseLost(partition: number, epoch: number | undefined, reason: LeaseLossReason): void {
    if (reason === 'stopped') return;
    const code = reason === 'handoff' ? undefined : `LEASE_${reason.toUpperCase().replace('-', '_')}`;
    this.buffer.add(K.LeaseLost, this.now(), this.leaseTrace, undefined, undefined, 0, partition, epoch ?? 0, -1, code, undefined);
  }

  staleWrite(partition: number, epoch: number | undefined, invocationId: string): void {
    const scope = this.scopes.get(invocationId);
    if (scope && !scope.sampled) return;
    this.buffer.add(K.StaleWrite, this.now(), scope ? scope.traceId : this.leaseTrace, scope?.spanId, undefined, scope?.attempt ?? 0, partition, epoch ?? 0, -1, undefined, invocationId);
  }
}
