import type { InvocationRecord } from '../ports/store.js';
import { newSpanId, newTraceId, traceContextOf, type TraceContext } from './trace-context.js';

/** What the parts of one `Observability` share about an attempt while it runs. */
export interface AttemptScope {
  traceId: string;
  /** The attempt's span (an OpenTelemetry span's id when a tracer is set). */
  spanId: string;
  /** The span of the message that caused it, if any. */
  parentSpanId: string | undefined;
  epoch: number;
  /** Failed attempts before this one. */
  attempt: number;
  startedAt: number;
}

/** Running attempts by invocation id, so that sends, steps and the end join the attempt's trace. */
export class Scopes {
  private readonly byId = new Map<string, AttemptScope>();

  open(rec: InvocationRecord, epoch: number, spanId?: string): AttemptScope {
    const parent = traceOfRecord(rec);
    const scope: AttemptScope = {
      traceId: parent?.traceId ?? fallbackTraceId(rec),
      spanId: spanId ?? newSpanId(),
      parentSpanId: parent && parent.spanId !== '0000000000000000' ? parent.spanId : undefined,
      epoch,
      attempt: rec.attempt,
      startedAt: Date.now(),
    };
    this.byId.set(rec.id, scope);
    return scope;
  }

  get(id: string): AttemptScope | undefined {
    return this.byId.get(id);
  }

  close(id: string): AttemptScope | undefined {
    const s = this.byId.get(id);
    this.byId.delete(id);
    return s;
  }
}

/** The trace context an invocation was sent with. */
export function traceOfRecord(rec: InvocationRecord): TraceContext | undefined {
  const t = rec.meta?.trace;
  return t === undefined ? undefined : traceContextOf(t);
}

/**
 * The trace id of an invocation sent without one (before observability was on,
 * or from a client without it): stable per invocation, so its events still group.
 */
export function fallbackTraceId(rec: InvocationRecord): string {
  const t = traceOfRecord(rec);
  if (t) return t.traceId;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < rec.id.length; i++) {
    const c = rec.id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return `${hex(h1)}${hex(h2)}${hex(h1 ^ h2)}${hex(Math.imul(h1, h2) || 1)}`;
}

export { newTraceId };
