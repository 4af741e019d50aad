import type { AttemptEvent } from '../core/attempt.js';
import type { EngineObserver, EngineView, LeaseLossReason } from '../core/observer.js';
import type { InvocationRecord, JournalEntry } from '../ports/store.js';
import type { TraceEvent, TraceEventType, TraceRefs } from '../ports/trace.js';
import { fallbackTraceId, type AttemptScope, type Scopes } from './scope.js';
import type { TraceBuffer } from './trace-buffer.js';
import { newTraceId, traceContextOf } from './trace-context.js';

const ENDED: Partial<Record<AttemptEvent['outcome'], TraceEventType>> = {
  completed: 'actor:invocation_completed',
  suspended: 'actor:invocation_suspended',
  retry: 'actor:invocation_retried',
  failed: 'actor:invocation_failed',
  dead: 'actor:invocation_dead_lettered',
};

/**
 * Turns the engine's lifecycle into reference-based trace events: each names
 * the message, invocation, journal position, idempotency record, state
 * version or lease it is about, never a payload.
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
  }

  private lastMs = 0;
  private lastIso = '';

  /** The time as ISO 8601; many events share a millisecond, and so the string. */
  private at(): string {
    const ms = this.view ? this.view.now() : Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  private emit(trace_id: string, span_id: string | undefined, event_type: TraceEventType, refs: TraceRefs, error_code?: string): void {
    const event: TraceEvent = { trace_id, event_type, at: this.at(), refs };
    if (span_id) event.span_id = span_id;
    if (this.view) event.worker = this.view.workerId;
    if (error_code) event.error_code = error_code;
    this.buffer.push(event);
  }

  accepted(rec: InvocationRecord, duplicate: boolean, trace?: unknown): void {
    const own = trace === undefined ? undefined : traceContextOf(trace);
    const refs: TraceRefs = { message: message(rec), invocation: { id: rec.id, attempt: rec.attempt } };
    if (rec.idempotencyKey !== undefined) {
      refs.idempotency = duplicate ? { key: rec.idempotencyKey, original_execution: rec.id } : { key: rec.idempotencyKey };
    }
    const traceId = own?.traceId ?? fallbackTraceId(rec);
    this.emit(traceId, own?.spanId, duplicate ? 'actor:message_deduplicated' : 'actor:message_accepted', refs);
  }

  attemptStarted(rec: InvocationRecord, epoch: number, resumed: boolean): void {
    const scope = this.scopes.get(rec.id);
    if (!scope) return;
    this.emit(scope.traceId, scope.spanId, resumed ? 'actor:invocation_resumed' : 'actor:invocation_started', {
      message: message(rec),
      invocation: { id: rec.id, attempt: rec.attempt },
      lease: { partition: rec.partition, epoch },
    });
  }

  stepStarted(rec: InvocationRecord, position: number, name: string): (entry: JournalEntry | undefined) => void {
    const scope = this.scopes.get(rec.id);
    return (entry) => {
      if (!entry || !scope) return;
      this.emit(scope.traceId, scope.spanId, 'actor:step_journaled', {
        invocation: { id: rec.id, attempt: rec.attempt },
        journal: { position, kind: entry.kind, name },
      });
    };
  }

  attemptEnded(event: AttemptEvent, rec: InvocationRecord, stateVersion: number | undefined, scope?: AttemptScope): void {
    const type = ENDED[event.outcome];
    if (!type || !scope) return;
    // A retry or failure bumped rec.attempt already; the event names the attempt that ran.
    const refs: TraceRefs = { invocation: { id: rec.id, attempt: event.attempt }, lease: { partition: rec.partition, epoch: scope.epoch } };
    if (rec.idempotencyKey !== undefined) refs.idempotency = { key: rec.idempotencyKey };
    if (stateVersion !== undefined) refs.state = { actor_type: rec.actorType, actor_id: rec.actorId, version: stateVersion };
    this.emit(scope.traceId, scope.spanId, type, refs, event.error?.code);
  }

  leaseAcquired(partition: number, epoch: number): void {
    this.emit(this.leaseTrace, undefined, 'lease:acquired', { lease: { partition, epoch } });
  }

  leaseLost(partition: number, epoch: number | undefined, reason: LeaseLossReason): void {
    if (reason === 'stopped') return;
    this.emit(this.leaseTrace, undefined, 'lease:lost', { lease: { partition, epoch: epoch ?? 0 } }, reason === 'handoff' ? undefined : `LEASE_${reason.toUpperCase().replace('-', '_')}`);
  }

  staleWrite(partition: number, epoch: number | undefined, invocationId: string): void {
    const scope = this.scopes.get(invocationId);
    this.emit(scope?.traceId ?? this.leaseTrace, scope?.spanId, 'lease:stale_write_rejected', {
      invocation: { id: invocationId, attempt: scope?.attempt ?? 0 },
      lease: { partition, epoch: epoch ?? 0 },
    });
  }
}

function message(rec: InvocationRecord): NonNullable<TraceRefs['message']> {
  return { message_id: rec.id, queue_name: rec.actorType, actor_id: rec.actorId, method: rec.method };
}
