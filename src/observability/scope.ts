import type { InvocationRecord } from '../ports/store.js';
import { newSpanId, newTraceId, sampledAt, traceContextOf, type TraceContext } from './trace-context.js';

/** What the parts of one `Observability` share about an attempt while it runs. */
export interface AttemptScope {
  traceId: string;
  /** The attempt's span (an OpenTelemetry span's id when a tracer is set). */
  spanId: string;
  epoch: number;
  /** Failed attempts before this one. */
  attempt: number;
  /** Whether this trace is recorded (the `traceparent` sampled flag, or the ratio's decision at a root). */
  sampled: boolean;
}

/** Running attempts by invocation id, so that sends, steps and the end join the attempt's trace. */
export class Scopes {
  private readonly byId = new Map<string, AttemptScope>();

  /** `ratio`: the share of root traces recorded (`traceSampleRatio`). */
  constructor(readonly ratio = 1) {}

  open(rec: InvocationRecord, epoch: number, spanId?: string): AttemptScope {
    // Read once per attempt: the trace context is parsed here and nowhere else on the attempt's path.
    const parent = traceOfRecord(rec);
    const traceId = parent ? parent.traceId : hashTraceId(rec.id);
    const scope: AttemptScope = {
      traceId,
      spanId: spanId ?? newSpanId(),
      epoch,
      attempt: rec.attempt,
      sampled: parent ? (parent.flags & 1) === 1 : sampledAt(traceId, this.ratio),
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
  return t ? t.traceId : hashTraceId(rec.id);
}

/** A trace id made from an invocation id: the same every time. */
function hashTraceId(id: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return `${hex(h1)}${hex(h2)}${hex(h1 ^ h2)}${hex(Math.imul(h1, h2) || 1)}`;
}

export { newTraceId };
