import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import type { AttemptEvent } from '../core/attempt.js';
import type { Envelope } from '../core/envelope.js';
import { ConfigError } from '../core/errors.js';
import type { InvocationRecord, JournalEntry } from '../ports/store.js';
import { traceOfRecord } from './scope.js';
import { formatTraceparent } from './trace-context.js';

type Api = typeof OtelApi;

// SpanKind and SpanStatusCode values, fixed by the OpenTelemetry API.
const INTERNAL = 0;
const PRODUCER = 3;
const CONSUMER = 4;
const ERROR = 2;
const FAILED: ReadonlySet<AttemptEvent['outcome']> = new Set(['retry', 'failed', 'dead']);

/** Loads `@opentelemetry/api` when a tracer is configured; a clear error when it is not installed. */
function loadApi(): Api {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as Api;
  } catch (cause) {
    throw new ConfigError('OpenTelemetry tracing needs the @opentelemetry/api package: npm install @opentelemetry/api', { cause });
  }
}

/**
 * OpenTelemetry spans for Loom's work, on the tracer you pass (never the
 * global one unless you pass it): a PRODUCER span per message sent, a
 * CONSUMER span per attempt (its parent is the sender's span, carried as a
 * W3C `traceparent` in the message envelope, so it joins across processes and
 * transports) and an INTERNAL child span per step run. Replayed steps and
 * sends make no span: only work done now does.
 */
export class OtelSpans {
  private readonly api: Api;
  private readonly attempts = new Map<string, Span>();

  constructor(private readonly tracer: Tracer) {
    this.api = loadApi();
  }

  /** Starts and ends the span of a message being sent; returns the trace context to put in its envelope. */
  send(env: Envelope, parent: InvocationRecord | undefined): string {
    const api = this.api;
    const parentSpan = parent ? this.attempts.get(parent.id) : undefined;
    const ctx: Context = parentSpan ? api.trace.setSpan(api.ROOT_CONTEXT, parentSpan) : api.context.active();
    const attributes: Record<string, string> = {
      'messaging.system': 'loom',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': env.actorType,
      'loom.actor.type': env.actorType,
      'loom.actor.id': env.actorId,
      'loom.method': env.method,
    };
    if (env.idempotencyKey !== undefined) attributes['loom.idempotency_key'] = env.idempotencyKey;
    const span = this.tracer.startSpan(`send ${env.actorType}`, { kind: PRODUCER, attributes }, ctx);
    const sc = span.spanContext();
    span.end();
    return formatTraceparent({ traceId: sc.traceId, spanId: sc.spanId, flags: sc.traceFlags });
  }

  /** Starts an attempt's span; returns its span id. */
  attemptStarted(rec: InvocationRecord, epoch: number, resumed: boolean): string {
    const api = this.api;
    const parent = traceOfRecord(rec);
    const ctx = parent
      ? api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.flags, isRemote: true })
      : api.ROOT_CONTEXT;
    const attributes: Record<string, string | number | boolean> = {
      'messaging.system': 'loom',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': rec.actorType,
      'messaging.message.id': rec.id,
      'loom.actor.type': rec.actorType,
      'loom.actor.id': rec.actorId,
      'loom.method': rec.method,
      'loom.invocation.id': rec.id,
      'loom.attempt': rec.attempt,
      'loom.lease.epoch': epoch,
      'loom.partition': rec.partition,
      'loom.resumed': resumed,
    };
    if (rec.idempotencyKey !== undefined) attributes['loom.idempotency_key'] = rec.idempotencyKey;
    const span = this.tracer.startSpan(`process ${rec.actorType}`, { kind: CONSUMER, attributes }, ctx);
    this.attempts.set(rec.id, span);
    return span.spanContext().spanId;
  }

  stepStarted(rec: InvocationRecord, position: number, name: string): ((entry: JournalEntry | undefined, err?: unknown) => void) | undefined {
    const parent = this.attempts.get(rec.id);
    if (!parent) return undefined;
    const api = this.api;
    const span = this.tracer.startSpan(
      `step ${name}`,
      { kind: INTERNAL, attributes: { 'loom.step.name': name, 'loom.journal.position': position, 'loom.invocation.id': rec.id } },
      api.trace.setSpan(api.ROOT_CONTEXT, parent),
    );
    return (entry, err) => {
      if (!entry) {
        const code = (err as { code?: unknown })?.code;
        span.setAttribute('error.type', typeof code === 'string' ? code : ((err as Error)?.name ?? 'Error'));
        span.setStatus({ code: ERROR });
      }
      span.end();
    };
  }

  attemptEnded(event: AttemptEvent, rec: InvocationRecord): void {
    const span = this.attempts.get(rec.id);
    if (!span) return;
    this.attempts.delete(rec.id);
    span.setAttribute('loom.outcome', event.outcome);
    if (event.error) span.setAttribute('error.type', event.error.code ?? event.error.name ?? 'Error');
    // Only the code: an error's message may quote handler data.
    if (FAILED.has(event.outcome)) span.setStatus({ code: ERROR });
    span.end();
  }
}
